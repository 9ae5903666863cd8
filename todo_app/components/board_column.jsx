// A board column's cards, virtualised: the column scrolls on its own and only the cards in
// view (and a few around them) are mounted; wrapped in todo_app/components/board.py.
import { useCallback, useRef, useState } from "react";
import { DragOverlay, useDndMonitor } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { defaultRangeExtractor, useVirtualizer } from "@tanstack/react-virtual";
// Reflex puts each module's shared assets in a folder named after it: dnd.py's are in dnd/.
import { DroppableArea, SortableItem } from "../dnd/dnd_items.jsx";

// A one-line card (padding, title, badges); cards are measured once mounted.
const CARD_HEIGHT = 56;
const CARD_GAP = 8;
const OVERSCAN = 4;

function CardContent({ card }) {
  return (
    <>
      <div className="card-title">{card.title}</div>
      <div className="card-meta">
        {card.due_label !== "" && (
          <span className="card-due" data-overdue={String(card.overdue)}>
            {card.due_label}
          </span>
        )}
        <span className="card-priority" data-priority={card.priority}>
          {card.priority}
        </span>
        {card.progress !== "" && (
          <span className="card-progress" title="subtasks done / all">
            {card.progress}
          </span>
        )}
      </div>
    </>
  );
}

// The id of the card being dragged, from any column: it stays mounted while scrolled out
// of view, or dnd-kit would lose the element it drags.
function useDraggedId() {
  const [dragged, setDragged] = useState(null);
  useDndMonitor({
    onDragStart: ({ active }) => setDragged(String(active.id)),
    onDragEnd: () => setDragged(null),
    onDragCancel: () => setDragged(null),
  });
  return dragged;
}

// `items` holds every card id of the column, mounted or not, so that a drop's index is the
// index in the whole column; an empty column is a drop target itself. `disabled`: the cards
// stay put (a reader's board). A click on a card calls `onOpen` with its id.
export function BoardColumnCards({
  columnId,
  cards,
  items,
  disabled,
  onOpen,
  ref,
  style,
  ...props
}) {
  const scrollRef = useRef(null);
  const dragged = useDraggedId();
  const draggedIndex = dragged === null ? -1 : items.indexOf(dragged);
  const rangeExtractor = useCallback(
    (range) => {
      const shown = defaultRangeExtractor(range);
      if (draggedIndex < 0 || shown.includes(draggedIndex)) return shown;
      return [...shown, draggedIndex].sort((a, b) => a - b);
    },
    [draggedIndex],
  );
  const virtualizer = useVirtualizer({
    count: cards.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_HEIGHT,
    gap: CARD_GAP,
    overscan: OVERSCAN,
    getItemKey: (index) => cards[index].id,
    rangeExtractor,
    // The first draw already fills a column of the window's height.
    initialRect: { width: 0, height: typeof window === "undefined" ? 0 : window.innerHeight },
  });
  const scrollTo = useCallback(
    (node) => {
      scrollRef.current = node;
      if (typeof ref === "function") ref(node);
      else if (ref) ref.current = node;
    },
    [ref],
  );
  return (
    <SortableContext
      items={items}
      id={columnId}
      strategy={verticalListSortingStrategy}
      disabled={Boolean(disabled)}
    >
      <DroppableArea
        id={columnId}
        disabled={cards.length > 0}
        ref={scrollTo}
        style={{ overflowY: "auto", ...style }}
        {...props}
      >
        <div style={{ position: "relative", height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((row) => {
            const card = cards[row.index];
            return (
              <SortableItem
                key={card.id}
                id={card.id}
                data={{ card }}
                ref={virtualizer.measureElement}
                data-index={row.index}
                className="board-card"
                data-id={card.id}
                data-title={card.title}
                aria-label={card.title}
                onClick={() => onOpen?.(card.id)}
                // A draggable card's Enter picks it up (dnd-kit's keyboard sensor replaces
                // this handler); a fixed one's opens it.
                onKeyDown={(event) => event.key === "Enter" && onOpen?.(card.id)}
                style={{ position: "absolute", top: row.start, left: 0, width: "100%" }}
              >
                <CardContent card={card} />
              </SortableItem>
            );
          })}
        </div>
      </DroppableArea>
    </SortableContext>
  );
}

// The dragged card drawn above the board: a column clips what leaves its scroll area.
export function BoardCardOverlay(props) {
  const [card, setCard] = useState(null);
  useDndMonitor({
    onDragStart: ({ active }) => setCard(active.data.current?.card ?? null),
    onDragEnd: () => setCard(null),
    onDragCancel: () => setCard(null),
  });
  return (
    <DragOverlay {...props}>
      {card && (
        <div className="board-card-overlay">
          <CardContent card={card} />
        </div>
      )}
    </DragOverlay>
  );
}
