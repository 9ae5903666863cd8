// Sortable cards and droppable areas for dnd-kit (wrapped in todo_app/components/dnd.py).
import { useCallback } from "react";
import { useDroppable } from "@dnd-kit/core";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

// React 19 passes `ref` as a prop: Reflex's ref and dnd-kit's node ref must both see the node.
function useMergedRef(setNodeRef, ref) {
  return useCallback(
    (node) => {
      setNodeRef(node);
      if (typeof ref === "function") ref(node);
      else if (ref) ref.current = node;
    },
    [setNodeRef, ref],
  );
}

// `data` rides along in dnd-kit's active item (a drag overlay draws from it); `style` is the
// caller's placement (a virtual list's `top`), under dnd-kit's own transform.
export function SortableItem({ id, data, ref, style: placement, children, ...props }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } =
    useSortable({ id, data });
  // An item its SortableContext keeps in place is a plain button: not "disabled", not "sortable".
  const fixed = attributes["aria-disabled"];
  const { role, tabIndex } = attributes;
  const mergedRef = useMergedRef(setNodeRef, ref);
  const style = {
    position: "relative",
    ...placement,
    transform: CSS.Translate.toString(transform),
    transition,
    opacity: isDragging ? 0.6 : undefined,
    zIndex: isDragging ? 10 : undefined,
  };
  return (
    <div
      ref={mergedRef}
      data-dragging={isDragging ? "true" : undefined}
      data-fixed={fixed ? "true" : undefined}
      {...props}
      {...(fixed ? { role, tabIndex } : attributes)}
      {...listeners}
      style={style}
    >
      {children}
    </div>
  );
}

export function DroppableArea({ id, disabled, ref, children, ...props }) {
  const { setNodeRef, isOver } = useDroppable({ id, disabled: Boolean(disabled) });
  const mergedRef = useMergedRef(setNodeRef, ref);
  return (
    <div ref={mergedRef} data-over={isOver ? "true" : undefined} {...props}>
      {children}
    </div>
  );
}
