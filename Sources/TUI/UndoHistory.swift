/// Undo and redo of document edits: snapshots of the whole document (a project is a few hundred bytes of settings),
/// so every kind of edit undoes the same way. Consecutive edits with the same coalescing key (e.g. holding → on one
/// parameter, or typing one prompt) form one step.
public struct UndoHistory<Document: Equatable & Sendable>: Sendable {
    private(set) var undoStack: [(document: Document, label: String)] = []
    private(set) var redoStack: [(document: Document, label: String)] = []
    private var lastKey: String? = nil
    /// Steps kept; older ones are dropped.
    public var limit = 500

    /// An empty history.
    public init() {}

    /// True when there is something to undo / redo.
    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }
    /// Number of undo steps.
    public var undoCount: Int { undoStack.count }

    /// Records that `before` is about to change by an edit called `label`. An edit with the same non-nil
    /// `coalescingKey` as the previous one joins its step.
    public mutating func record(_ before: Document, label: String, coalescingKey: String? = nil) {
        redoStack.removeAll()
        if let coalescingKey, coalescingKey == lastKey, !undoStack.isEmpty { return }
        undoStack.append((before, label))
        if undoStack.count > limit { undoStack.removeFirst(undoStack.count - limit) }
        lastKey = coalescingKey
    }

    /// Ends coalescing: the next edit starts a new step.
    public mutating func breakCoalescing() { lastKey = nil }

    /// The document before the last step, given the current one (which becomes redoable); nil when nothing to undo.
    public mutating func undo(current: Document) -> (document: Document, label: String)? {
        guard let last = undoStack.popLast() else { return nil }
        redoStack.append((current, last.label))
        lastKey = nil
        return last
    }

    /// The document the last undo left, given the current one; nil when nothing to redo.
    public mutating func redo(current: Document) -> (document: Document, label: String)? {
        guard let next = redoStack.popLast() else { return nil }
        undoStack.append((current, next.label))
        lastKey = nil
        return next
    }
}
