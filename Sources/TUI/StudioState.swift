import Foundation
import Imaging
import Media

/// The model of the studio's screen: the project being edited, what is focused and selected, the playhead, the
/// generation's progress and pictures, messages, open overlays and the undo history.
///
/// Pure: keys come in as ``StudioKey`` values with the time, and come out as state changes plus ``StudioEffect``s
/// the loop carries out (save, regenerate, export, quit). No terminal, no engine, no clock inside, so every key is
/// unit-tested.
public struct StudioState: Sendable {
    /// The five panels, numbered as the keys 1–5 select them.
    public enum Panel: Int, CaseIterable, Sendable {
        case reference = 1, parameters, timeline, preview, messages
        public var title: String {
            switch self {
            case .reference: return "Reference"
            case .parameters: return "Parameters"
            case .timeline: return "Prompt keyframes"
            case .preview: return "Preview"
            case .messages: return "Messages"
            }
        }
    }

    /// An overlay above the panels.
    public enum Overlay: Sendable {
        case help(scroll: Int)
        case palette(field: TextField, selection: Int)
        case picker(FilePicker)
        case export(selection: Int)
        case confirmQuit
    }

    /// An inline text edit in a panel.
    public struct InlineEdit: Sendable, Equatable {
        public enum Target: Sendable, Equatable { case parameter(Int), keyframePrompt(frame: Int), exportPath }
        public var target: Target
        public var field: TextField
    }

    /// One line of the messages pane.
    public struct Message: Sendable, Equatable {
        public enum Level: Sendable, Equatable { case info, ok, warning, error }
        public var level: Level
        public var text: String
        public init(level: Level, text: String) { self.level = level; self.text = text }
    }

    /// Where the generation is.
    public enum Phase: Sendable, Equatable {
        /// Nothing to run (inputs missing or broken).
        case idle
        /// An edit arrived; the run starts when the debounce ends.
        case debouncing
        /// Denoising.
        case running
        /// Every frame done.
        case finished
        /// The engine refused the request.
        case failed(String)
    }

    /// An export on its way.
    public struct ExportProgress: Sendable, Equatable {
        /// Frames written / to write (0 while waiting for the generation).
        public var done = 0, total = 0
        /// Waiting for the running generation to finish before writing.
        public var waitingForFrames = true
        /// The destination, as shown.
        public var path: String
        public init(done: Int = 0, total: Int = 0, waitingForFrames: Bool = true, path: String) {
            self.done = done; self.total = total; self.waitingForFrames = waitingForFrames; self.path = path
        }
    }

    // MARK: - Document

    /// The project being edited (saved on every change).
    public internal(set) var document: ProjectDocument
    /// Limits from the loaded files.
    public var limits: StudioLimits
    /// Undo / redo of document edits.
    public internal(set) var history = UndoHistory<ProjectDocument>()
    /// The project file's name, for the title bar.
    public var projectName: String
    /// The project's folder: chosen files inside it are stored relative to it.
    public var projectFolder = ""

    // MARK: - Screen

    public var focus: Panel = .parameters
    public var selectedParameter = 0
    /// Index into the document's keyframes.
    public var selectedKeyframe = 0
    public var playhead = 0
    public var isPlaying = false
    public var loops = true
    public var overlay: Overlay? = nil
    public var edit: InlineEdit? = nil
    public var messages: [Message] = []
    /// Lines scrolled back in the messages pane.
    public var messageScroll = 0
    /// Name of the theme in use.
    public var themeName = "dark"
    /// The renderer in use (for the title bar).
    public var rendererName = ""

    // MARK: - Generation

    public var phase: Phase = .idle
    /// Steps taken and the total of the running (or last) generation.
    public var step = 0, stepCount = 0
    /// Time (seconds, the loop's clock) the running generation started, and of its latest step.
    public var startedAt = 0.0, lastStepAt = 0.0
    /// The latest x0 previews of every frame (sharpening step by step).
    public var previews: [RGBImage] = []
    /// The finished frames, when the generation is done.
    public var frames: [RGBImage]? = nil
    /// The export running, if any.
    public var export: ExportProgress? = nil

    /// A studio on `document`.
    public init(document: ProjectDocument, projectName: String, limits: StudioLimits) {
        self.document = document
        self.projectName = projectName
        self.limits = limits
    }

    // MARK: - Derived

    /// Frames in the clip.
    public var frameCount: Int { max(1, min(document.frames ?? limits.poseCount, limits.poseCount)) }

    /// The picture for the playhead: the finished frame, else the latest preview.
    public var shownFrame: RGBImage? {
        let source = frames ?? previews
        guard !source.isEmpty else { return nil }
        return source[min(max(0, playhead), source.count - 1)]
    }

    /// Steps per second of the running generation.
    public var iterationsPerSecond: Double? {
        guard step > 0, lastStepAt > startedAt else { return nil }
        return Double(step) / (lastStepAt - startedAt)
    }

    /// Seconds left, from the rate so far.
    public var etaSeconds: Double? {
        guard let rate = iterationsPerSecond, rate > 0, phase == .running else { return nil }
        return Double(stepCount - step) / rate
    }

    /// True while text is being typed (keys go to the field, not to commands).
    public var isTyping: Bool {
        if edit != nil { return true }
        switch overlay {
        case .palette, .picker: return true
        default: return false
        }
    }

    // MARK: - Messages

    /// Adds a line to the messages pane (keeps the last 200).
    public mutating func post(_ level: Message.Level, _ text: String) {
        messages.append(Message(level: level, text: text))
        if messages.count > 200 { messages.removeFirst(messages.count - 200) }
        messageScroll = 0
    }

    // MARK: - Edits

    /// Changes the document through `change`, recording an undo step labelled `label`. Returns the effects (none when
    /// nothing changed).
    @discardableResult
    public mutating func edit(_ label: String, coalescingKey: String? = nil, _ change: (inout ProjectDocument) -> Void) -> [StudioEffect] {
        var next = document
        change(&next)
        guard next != document else { return [] }
        history.record(document, label: label, coalescingKey: coalescingKey)
        let inputsChanged = next.reference != document.reference || next.poses != document.poses || next.model != document.model
        document = next
        clampSelections()
        return inputsChanged ? [.documentChanged, .inputsChanged] : [.documentChanged]
    }

    /// Replaces the document without an undo step (after loading new inputs, for instance).
    public mutating func replaceDocument(_ document: ProjectDocument) {
        self.document = document
        clampSelections()
    }

    /// Undoes the last edit.
    public mutating func undo() -> [StudioEffect] {
        guard let step = history.undo(current: document) else { post(.info, "nothing to undo"); return [] }
        let inputs = step.document.reference != document.reference || step.document.poses != document.poses
        document = step.document
        clampSelections()
        post(.info, "undid: \(step.label)")
        return inputs ? [.documentChanged, .inputsChanged] : [.documentChanged]
    }

    /// Redoes the last undone edit.
    public mutating func redo() -> [StudioEffect] {
        guard let step = history.redo(current: document) else { post(.info, "nothing to redo"); return [] }
        let inputs = step.document.reference != document.reference || step.document.poses != document.poses
        document = step.document
        clampSelections()
        post(.info, "redid: \(step.label)")
        return inputs ? [.documentChanged, .inputsChanged] : [.documentChanged]
    }

    mutating func clampSelections() {
        selectedKeyframe = min(max(0, selectedKeyframe), max(0, document.prompts.keyframes.count - 1))
        selectedParameter = min(max(0, selectedParameter), StudioParameter.all.count - 1)
        playhead = min(max(0, playhead), frameCount - 1)
    }

    // MARK: - Generation events

    /// A run was submitted (after the debounce).
    public mutating func generationStarted(steps: Int, at now: Double) {
        phase = .running
        step = 0
        stepCount = steps
        startedAt = now
        lastStepAt = now
    }

    /// A step arrived with the x0 previews.
    public mutating func generationStepped(index: Int, count: Int, previews: [RGBImage], at now: Double) {
        phase = .running
        step = index + 1
        stepCount = count
        lastStepAt = now
        self.previews = previews
        frames = nil
        playhead = min(playhead, max(0, previews.count - 1))
    }

    /// The clip is done.
    public mutating func generationFinished(frames: [RGBImage], at now: Double) {
        phase = .finished
        self.frames = frames
        step = stepCount
        lastStepAt = now
        playhead = min(playhead, max(0, frames.count - 1))
        if let rate = iterationsPerSecond {
            post(.ok, String(format: "generated %d frames in %.1f s (%.2f it/s)", frames.count, now - startedAt, rate))
        }
    }

    /// The engine refused the request.
    public mutating func generationFailed(_ message: String) {
        phase = .failed(message)
        post(.error, message)
    }

    /// Advances playback by one frame (called by the loop's playback timer).
    public mutating func tickPlayback() {
        guard isPlaying else { return }
        let n = (frames ?? previews).isEmpty ? frameCount : (frames ?? previews).count
        if playhead + 1 < n {
            playhead += 1
        } else if loops {
            playhead = 0
        } else {
            isPlaying = false
        }
    }
}

/// What the loop must do after a key.
public enum StudioEffect: Sendable, Equatable {
    /// The document changed: save it, and regenerate after the debounce if the request changed.
    case documentChanged
    /// The reference, poses or model path changed: reload those files first.
    case inputsChanged
    /// Cancel and run again now.
    case regenerate
    /// Start the export described by the document's output settings.
    case startExport
    /// Stop the running export.
    case cancelExport
    /// Use another theme.
    case theme(String)
    /// A file was chosen in the picker (remember it among recent files).
    case remember(String, FilePicker.Purpose)
    /// Open the picker for this purpose (the loop fills in the folder and recent files).
    case openPicker(FilePicker.Purpose)
    /// Repaint everything (pictures included).
    case redrawAll
    /// Leave the studio.
    case quit
}
