import Foundation
import Media

// MARK: - Keys

extension StudioState {
    /// Applies one key (or mouse event) with the screen's `layout`; returns what the loop must do.
    public mutating func handle(_ key: StudioKey, layout: StudioLayout) -> [StudioEffect] {
        if key == .resize { return [.redrawAll] }
        if edit != nil { return handleEdit(key) }
        switch overlay {
        case .help(let scroll): return handleHelp(key, scroll: scroll)
        case .palette(let field, let selection): return handlePalette(key, field: field, selection: selection)
        case .picker(var picker):
            switch picker.handle(key) {
            case .none: overlay = .picker(picker); return []
            case .cancelled: overlay = nil; return [.redrawAll]
            case .chosen(let path): overlay = nil; return choose(path, for: picker.purpose) + [.redrawAll]
            }
        case .export(let selection): return handleExport(key, selection: selection)
        case .confirmQuit:
            switch key {
            case .char("y"), .char("Y"): overlay = nil; return [.cancelExport, .quit]
            default: overlay = nil; post(.info, "quit cancelled; the export goes on"); return [.redrawAll]
            }
        case nil: break
        }
        if case .mouse(let row, let column, let action) = key { return handleMouse(row: row, column: column, action: action, layout: layout) }
        if let effects = handleGlobal(key) { return effects }
        switch focus {
        case .reference: return handleReference(key)
        case .parameters: return handleParameters(key)
        case .timeline: return handleTimeline(key)
        case .preview: return handlePreview(key)
        case .messages: return handleMessages(key)
        }
    }

    /// Keys that work in every panel; nil when the key is the panel's.
    mutating func handleGlobal(_ key: StudioKey) -> [StudioEffect]? {
        switch key {
        case .char("q"), .control("c"):
            if export != nil { overlay = .confirmQuit; return [] }
            return [.quit]
        case .char("?"): overlay = .help(scroll: 0); return []
        case .char(":"): overlay = .palette(field: TextField(limit: 200), selection: 0); return []
        case .tab: focus = Panel(rawValue: focus.rawValue % 5 + 1) ?? .reference; return []
        case .backTab: focus = Panel(rawValue: (focus.rawValue + 3) % 5 + 1) ?? .reference; return []
        case .char(let c) where ("1"..."5").contains(c):
            focus = Panel(rawValue: Int(String(c)) ?? 1) ?? .reference; return []
        case .char(" "): togglePlay(); return []
        case .char(","): scrub(to: playhead - 1); return []
        case .char("."): scrub(to: playhead + 1); return []
        case .home: scrub(to: 0); return []
        case .end: scrub(to: frameCount - 1); return []
        case .char("o"):
            loops.toggle(); post(.info, "loop \(loops ? "on" : "off")"); return []
        case .char("u"): return undo()
        case .control("r"): return redo()
        case .char("R"): return [.openPicker(.reference)]
        case .char("P"): return [.openPicker(.poses)]
        case .char("E"): overlay = .export(selection: 0); return []
        case .char("g"): post(.info, "regenerating"); return [.regenerate]
        default: return nil
        }
    }

    mutating func togglePlay() {
        isPlaying.toggle()
        if isPlaying && !loops && playhead >= frameCount - 1 { playhead = 0 }
    }

    mutating func scrub(to frame: Int) {
        isPlaying = false
        playhead = min(max(0, frame), frameCount - 1)
    }

    // MARK: Panels

    mutating func handleReference(_ key: StudioKey) -> [StudioEffect] {
        key == .enter ? [.openPicker(.reference)] : []
    }

    mutating func handleParameters(_ key: StudioKey) -> [StudioEffect] {
        let parameters = StudioParameter.all
        let p = parameters[selectedParameter]
        func adjust(_ steps: Int) -> [StudioEffect] {
            let next = p.adjusted(document, by: steps, limits: limits)
            return edit("\(p.label) \(p.display(next, limits: limits))", coalescingKey: "param:\(p.name)") { $0 = next }
        }
        switch key {
        case .up, .char("k"): selectedParameter = max(0, selectedParameter - 1); history.breakCoalescing()
        case .down, .char("j"): selectedParameter = min(parameters.count - 1, selectedParameter + 1); history.breakCoalescing()
        case .pageUp: selectedParameter = max(0, selectedParameter - 5)
        case .pageDown: selectedParameter = min(parameters.count - 1, selectedParameter + 5)
        case .left, .char("h"): return adjust(-1)
        case .right, .char("l"): return adjust(1)
        case .shiftLeft, .char("H"): return adjust(-10)
        case .shiftRight, .char("L"): return adjust(10)
        case .enter:
            edit = InlineEdit(target: .parameter(selectedParameter), field: TextField(p.display(document, limits: limits), limit: 40))
        default: break
        }
        return []
    }

    mutating func handleTimeline(_ key: StudioKey) -> [StudioEffect] {
        let keyframes = document.prompts.keyframes
        switch key {
        case .left, .char("h"): selectedKeyframe = max(0, selectedKeyframe - 1); scrubToKeyframe()
        case .right, .char("l"): selectedKeyframe = min(keyframes.count - 1, selectedKeyframe + 1); scrubToKeyframe()
        case .char("a"):
            let frame = playhead
            if let i = keyframes.firstIndex(where: { $0.frame == frame }) {
                selectedKeyframe = i
            } else {
                let effects = edit("add keyframe at frame \(frame)") { d in
                    d.prompts.keyframes.append(ProjectDocument.Keyframe(frame: frame, prompt: ""))
                    d.prompts.keyframes.sort { $0.frame < $1.frame }
                }
                selectedKeyframe = document.prompts.keyframes.firstIndex { $0.frame == frame } ?? 0
                edit = InlineEdit(target: .keyframePrompt(frame: frame), field: TextField(""))
                history.breakCoalescing()
                return effects
            }
            edit = InlineEdit(target: .keyframePrompt(frame: frame), field: TextField(keyframes[selectedKeyframe].prompt))
        case .enter, .char("e"):
            guard keyframes.indices.contains(selectedKeyframe) else { return [] }
            let k = keyframes[selectedKeyframe]
            edit = InlineEdit(target: .keyframePrompt(frame: k.frame), field: TextField(k.prompt))
            history.breakCoalescing()
        case .char("d"), .delete, .char("x"):
            guard keyframes.count > 1 else { post(.warning, "the last keyframe cannot be deleted (edit its prompt instead)"); return [] }
            let k = keyframes[selectedKeyframe]
            return edit("delete keyframe at frame \(k.frame)") { $0.prompts.keyframes.removeAll { $0.frame == k.frame } }
        case .char("<"), .char("H"), .shiftLeft: return moveKeyframe(by: -1)
        case .char(">"), .char("L"), .shiftRight: return moveKeyframe(by: 1)
        case .char("i"):
            return edit("interpolation") { $0.prompts.interpolation = $0.prompts.interpolation == "lerp" ? "slerp" : "lerp" }
        case .char("["):
            return edit("hold ratio", coalescingKey: "hold") { $0.prompts.holdRatio = max(0, (($0.prompts.holdRatio - 0.05) * 100).rounded() / 100) }
        case .char("]"):
            return edit("hold ratio", coalescingKey: "hold") { $0.prompts.holdRatio = min(1, (($0.prompts.holdRatio + 0.05) * 100).rounded() / 100) }
        case .char("w"): return edit("wrap around") { $0.prompts.wrap.toggle() }
        default: break
        }
        return []
    }

    mutating func scrubToKeyframe() {
        let keyframes = document.prompts.keyframes
        guard keyframes.indices.contains(selectedKeyframe) else { return }
        scrub(to: keyframes[selectedKeyframe].frame)
    }

    mutating func moveKeyframe(by delta: Int) -> [StudioEffect] {
        let keyframes = document.prompts.keyframes
        guard keyframes.indices.contains(selectedKeyframe) else { return [] }
        let k = keyframes[selectedKeyframe]
        let target = k.frame + delta
        guard target >= 0, target < frameCount else { return [] }
        if keyframes.contains(where: { $0.frame == target }) {
            post(.warning, "frame \(target) already has a keyframe"); return []
        }
        let effects = edit("move keyframe to frame \(target)", coalescingKey: "move:\(selectedKeyframe)") { d in
            if let i = d.prompts.keyframes.firstIndex(where: { $0.frame == k.frame }) { d.prompts.keyframes[i].frame = target }
            d.prompts.keyframes.sort { $0.frame < $1.frame }
        }
        selectedKeyframe = document.prompts.keyframes.firstIndex { $0.frame == target } ?? selectedKeyframe
        scrub(to: target)
        return effects
    }

    mutating func handlePreview(_ key: StudioKey) -> [StudioEffect] {
        switch key {
        case .left, .char("h"): scrub(to: playhead - 1)
        case .right, .char("l"): scrub(to: playhead + 1)
        case .shiftLeft, .char("H"): scrub(to: playhead - 10)
        case .shiftRight, .char("L"): scrub(to: playhead + 10)
        default: break
        }
        return []
    }

    mutating func handleMessages(_ key: StudioKey) -> [StudioEffect] {
        switch key {
        case .up, .char("k"): messageScroll = min(max(0, messages.count - 1), messageScroll + 1)
        case .down, .char("j"): messageScroll = max(0, messageScroll - 1)
        case .char("c"): messages.removeAll(); messageScroll = 0
        default: break
        }
        return []
    }

    // MARK: Inline edits

    mutating func handleEdit(_ key: StudioKey) -> [StudioEffect] {
        guard var current = edit else { return [] }
        switch current.target {
        case .parameter(let index):
            switch key {
            case .escape: edit = nil
            case .enter:
                let p = StudioParameter.all[index]
                switch p.parsed(current.field.text, in: document, limits: limits) {
                case .success(let next):
                    edit = nil
                    return self.edit("\(p.label) \(p.display(next, limits: limits))") { $0 = next }
                case .failure(let error):
                    post(.error, error.description)
                }
            default:
                if current.field.apply(key) { edit = current }
            }
            return []
        case .keyframePrompt(let frame):
            // The prompt is applied as it is typed (one undo step per edit), so generation follows the text.
            switch key {
            case .escape, .enter, .tab:
                edit = nil
                history.breakCoalescing()
                return []
            default:
                guard current.field.apply(key) else { return [] }
                edit = current
                let text = current.field.text
                return self.edit("prompt at frame \(frame)", coalescingKey: "prompt:\(frame)") { d in
                    if let i = d.prompts.keyframes.firstIndex(where: { $0.frame == frame }) { d.prompts.keyframes[i].prompt = text }
                }
            }
        case .exportPath:
            switch key {
            case .escape: edit = nil
            case .enter:
                edit = nil
                let path = current.field.text.trimmingCharacters(in: .whitespaces)
                guard !path.isEmpty else { post(.error, "export path: give a file name (out.mp4, out.gif or a folder)"); return [] }
                return self.edit("export path") { d in
                    d.output.path = path
                    if let format = ClipFormat.inferred(from: URL(fileURLWithPath: path)) { d.output.format = format.rawValue }
                }
            default:
                if current.field.apply(key) { edit = current }
            }
            return []
        }
    }

    // MARK: Overlays

    mutating func handleHelp(_ key: StudioKey, scroll: Int) -> [StudioEffect] {
        switch key {
        case .down, .char("j"): overlay = .help(scroll: min(scroll + 1, max(0, KeyBindings.helpLines.count - 5)))
        case .up, .char("k"): overlay = .help(scroll: max(0, scroll - 1))
        case .pageDown: overlay = .help(scroll: min(scroll + 10, max(0, KeyBindings.helpLines.count - 5)))
        case .pageUp: overlay = .help(scroll: max(0, scroll - 10))
        default: overlay = nil; return [.redrawAll]
        }
        return []
    }

    /// Export dialog rows, top to bottom.
    public static let exportFields = ["Format", "Upscale", "Filter", "FPS", "Layout", "Path", "Export"]

    mutating func handleExport(_ key: StudioKey, selection: Int) -> [StudioEffect] {
        let fields = Self.exportFields
        func cycle(_ options: [String], _ value: String, _ d: Int) -> String {
            let i = options.firstIndex(of: value) ?? 0, n = options.count
            return options[((i + d) % n + n) % n]
        }
        func change(_ d: Int) -> [StudioEffect] {
            switch fields[selection] {
            case "Format":
                return edit("export format") { doc in
                    doc.output.format = cycle(ProjectDocument.OutputSettings.formats, doc.output.format, d)
                    doc.output.path = Self.path(doc.output.path, for: doc.output.format)
                }
            case "Upscale": return edit("export upscale", coalescingKey: "upscale") { $0.output.upscale = min(16, max(1, $0.output.upscale + d)) }
            case "Filter": return edit("export filter") { $0.output.filter = cycle(ProjectDocument.OutputSettings.filters, $0.output.filter, d) }
            case "FPS": return edit("fps", coalescingKey: "fps") { $0.fps = min(120, max(1, $0.fps + d)) }
            case "Layout": return edit("export layout") { $0.output.layout = cycle(ProjectDocument.OutputSettings.layouts, $0.output.layout, d) }
            default: return []
            }
        }
        switch key {
        case .escape, .char("q"): overlay = nil; return [.redrawAll]
        case .up, .char("k"), .backTab: overlay = .export(selection: max(0, selection - 1))
        case .down, .char("j"), .tab: overlay = .export(selection: min(fields.count - 1, selection + 1))
        case .left, .char("h"): return change(-1)
        case .right, .char("l"): return change(1)
        case .enter:
            switch fields[selection] {
            case "Path": edit = InlineEdit(target: .exportPath, field: TextField(document.output.path, limit: 400))
            case "Export":
                if export != nil { post(.warning, "an export is already running"); return [] }
                overlay = nil
                return [.startExport, .redrawAll]
            default: return change(1)
            }
        default: break
        }
        return []
    }

    /// `path` with the extension of `format` (`out.mp4` → `out.gif`; a PNG sequence is a folder without one).
    static func path(_ path: String, for format: String) -> String {
        let base = (path as NSString).deletingPathExtension
        switch format {
        case "mp4": return base + ".mp4"
        case "gif": return base + ".gif"
        default: return base
        }
    }

    mutating func choose(_ path: String, for purpose: FilePicker.Purpose) -> [StudioEffect] {
        // Inside the project's folder, the path is stored relative to the project (as `render` resolves it).
        var stored = path
        let folder = projectFolder.hasSuffix("/") ? projectFolder : projectFolder + "/"
        if !projectFolder.isEmpty, path.hasPrefix(folder) { stored = String(path.dropFirst(folder.count)) }
        switch purpose {
        case .reference: return edit("reference image") { $0.reference = stored } + [.remember(path, purpose)]
        case .poses: return edit("pose sequence") { $0.poses = stored } + [.remember(path, purpose)]
        }
    }

    // MARK: Mouse

    mutating func handleMouse(row: Int, column: Int, action: StudioKey.MouseAction, layout: StudioLayout) -> [StudioEffect] {
        switch action {
        case .wheelUp: scrub(to: playhead - 1); return []
        case .wheelDown: scrub(to: playhead + 1); return []
        case .release: return []
        case .press, .drag: break
        }
        if layout.scrubber.contains(row: row, column: column) || (action == .drag && row == layout.scrubber.row) {
            focus = .preview
            let bar = scrubberBar(layout)
            scrub(to: StudioLayout.frame(atColumn: column, count: frameCount, bar: bar))
            return []
        }
        if layout.ruler.contains(row: row, column: column) || layout.ruler.contains(row: row - 1, column: column) {
            focus = .timeline
            let frame = StudioLayout.frame(atColumn: column, count: frameCount, bar: layout.ruler)
            if let i = document.prompts.keyframes.firstIndex(where: {
                abs(StudioLayout.column(ofFrame: $0.frame, count: frameCount, bar: layout.ruler) - column) <= 0
            }) {
                selectedKeyframe = i
            }
            scrub(to: frame)
            return []
        }
        if layout.timeline.inner.contains(row: row, column: column) {
            focus = .timeline
            let index = row - (layout.ruler.row + 2)
            if document.prompts.keyframes.indices.contains(index) { selectedKeyframe = index; scrubToKeyframe() }
            return []
        }
        if layout.parameters.inner.contains(row: row, column: column) {
            focus = .parameters
            let first = parameterScroll(layout)
            let index = first + row - layout.parameters.inner.row
            if StudioParameter.all.indices.contains(index) { selectedParameter = index; history.breakCoalescing() }
            return []
        }
        if let panel = layout.panel(row: row, column: column) { focus = panel }
        return []
    }

    /// The scrubber's bar (right of the frame label).
    public func scrubberBar(_ layout: StudioLayout) -> CellRect {
        let label = 16
        return CellRect(row: layout.scrubber.row, column: layout.scrubber.column + label, height: 1,
                        width: max(2, layout.scrubber.width - label - 1))
    }

    /// First parameter row shown (the list scrolls to keep the selection visible).
    public func parameterScroll(_ layout: StudioLayout) -> Int {
        let visible = max(1, layout.parameters.inner.height)
        return max(0, min(selectedParameter - visible / 2, StudioParameter.all.count - visible))
    }
}
