// A sortable element dragged by a handle of its own (wrapped in todo_app/components/sortable_list.py):
// the rest of it (inputs, checkboxes, text) keeps its own clicks, keys and text selection.
import { useCallback } from "react";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

const GRIP = (
  <svg width="14" height="14" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
    <circle cx="9" cy="5" r="1.6" />
    <circle cx="9" cy="12" r="1.6" />
    <circle cx="9" cy="19" r="1.6" />
    <circle cx="15" cy="5" r="1.6" />
    <circle cx="15" cy="12" r="1.6" />
    <circle cx="15" cy="19" r="1.6" />
  </svg>
);

export function HandledItem({ id, handleLabel, disabled, ref, children, ...props }) {
  const {
    attributes,
    listeners,
    setNodeRef,
    setActivatorNodeRef,
    transform,
    transition,
    isDragging,
  } = useSortable({ id, disabled: Boolean(disabled) });
  // React 19 passes `ref` as a prop: Reflex's ref and dnd-kit's node ref must both see the node.
  const mergedRef = useCallback(
    (node) => {
      setNodeRef(node);
      if (typeof ref === "function") ref(node);
      else if (ref) ref.current = node;
    },
    [setNodeRef, ref],
  );
  const style = {
    transform: CSS.Translate.toString(transform),
    transition,
    opacity: isDragging ? 0.6 : undefined,
    zIndex: isDragging ? 10 : undefined,
    position: "relative",
  };
  return (
    <div
      ref={mergedRef}
      data-dragging={isDragging ? "true" : undefined}
      {...props}
      style={style}
    >
      {disabled ? (
        // An empty place of the handle's width keeps undraggable items in line with the others.
        <span className="drag-handle" aria-hidden="true" style={{ visibility: "hidden" }}>
          {GRIP}
        </span>
      ) : (
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="drag-handle"
          {...attributes}
          {...listeners}
          aria-label={handleLabel}
          title="Drag to move (or Space, then the arrow keys)"
        >
          {GRIP}
        </button>
      )}
      {children}
    </div>
  );
}
