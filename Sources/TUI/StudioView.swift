import Foundation
import Media

/// Draws the studio's text from its state: state in, cells out. The picture rectangles are left blank; the loop
/// writes the pictures there after ncurses has drawn (see ``PictureWriter``).
public enum StudioView {
    /// Draws everything for `state` at `layout` onto `surface`.
    public static func draw<S: Surface>(_ state: StudioState, layout: StudioLayout, on surface: inout S) {
        surface.fill(CellRect(row: 0, column: 0, height: layout.rows, width: layout.columns), style: .normal)
        if layout.isTooSmall {
            drawTooSmall(layout, on: &surface)
            return
        }
        drawTitle(state, layout, &surface)
        drawReference(state, layout, &surface)
        drawParameters(state, layout, &surface)
        drawPreview(state, layout, &surface)
        drawTimeline(state, layout, &surface)
        drawMessages(state, layout, &surface)
        drawStatus(state, layout, &surface)
        switch state.overlay {
        case .help(let scroll): drawHelp(scroll, layout, &surface)
        case .palette(let field, let selection): drawPalette(field, selection, layout, &surface)
        case .picker(let picker): drawPicker(picker, layout, &surface)
        case .export(let selection): drawExport(state, selection, layout, &surface)
        case .confirmQuit: drawConfirm(layout, &surface)
        case nil: break
        }
    }

    /// The message for a terminal below the minimum size.
    public static func tooSmallMessage(rows: Int, columns: Int) -> [String] {
        ["Terminal too small: \(columns)×\(rows).",
         "The studio needs at least \(StudioLayout.minimumColumns)×\(StudioLayout.minimumRows).",
         "Enlarge the window, or press q to quit."]
    }

    static func drawTooSmall<S: Surface>(_ layout: StudioLayout, on s: inout S) {
        let lines = tooSmallMessage(rows: layout.rows, columns: layout.columns)
        let top = max(0, layout.rows / 2 - 1)
        for (i, line) in lines.enumerated() {
            s.put(line, row: top + i, column: max(0, (layout.columns - line.count) / 2), style: i == 0 ? .error : .normal)
        }
    }

    // MARK: Panels

    static func drawTitle<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        s.fill(layout.title, style: .titleBar)
        s.put(" ZOETROPE studio ", row: 0, column: 0, style: .titleBar)
        s.put(state.projectName, row: 0, column: 18, style: .titleBar, maxWidth: layout.columns / 2)
        let right = "\(state.rendererName) · \(state.themeName) · ? help · : commands "
        s.put(right, row: 0, column: max(20, layout.columns - right.count), style: .titleBar)
    }

    static func drawReference<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.reference
        s.box(r, title: "1 Reference", focused: state.focus == .reference)
        let name = (state.document.reference as NSString).lastPathComponent
        s.put(name, row: r.bottom - 2, column: r.column + 2, style: .muted, maxWidth: r.width - 4)
    }

    static func drawParameters<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.parameters
        let focused = state.focus == .parameters
        s.box(r, title: "2 Parameters", focused: focused)
        let inner = r.inner
        let first = state.parameterScroll(layout)
        for (offset, index) in (first..<StudioParameter.all.count).enumerated() where offset < inner.height {
            let p = StudioParameter.all[index]
            let row = inner.row + offset
            let selected = index == state.selectedParameter
            var value = p.display(state.document, limits: state.limits)
            var style: Style = selected && focused ? .selection : .normal
            if case .parameter(let i)? = state.edit?.target, i == index, let field = state.edit?.field {
                value = field.text + "▏"
                style = .field
            }
            let valueWidth = min(inner.width / 2, max(6, value.count + 1))
            let label = " " + p.label
            s.fill(CellRect(row: row, column: inner.column, height: 1, width: inner.width), style: selected && focused ? .selection : .normal)
            s.put(label, row: row, column: inner.column, style: selected && focused ? .selection : .normal, maxWidth: inner.width - valueWidth - 1)
            let shown = String(value.suffix(valueWidth))
            s.put(shown, row: row, column: inner.column + inner.width - 1 - shown.count, style: style)
            if selected && !focused { s.put("›", row: row, column: inner.column, style: .accent) }
        }
        if first > 0 { s.put("▲", row: r.row, column: r.column + r.width - 3, style: .muted) }
        if first + inner.height < StudioParameter.all.count { s.put("▼", row: r.bottom - 1, column: r.column + r.width - 3, style: .muted) }
    }

    static func drawPreview<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.preview
        let phase: String
        switch state.phase {
        case .idle: phase = "idle"
        case .debouncing: phase = "waiting"
        case .running: phase = "step \(state.step)/\(state.stepCount)"
        case .finished: phase = "done"
        case .failed: phase = "failed"
        }
        s.box(r, title: "4 Preview · \(phase)", focused: state.focus == .preview)
        if state.shownFrame == nil {
            let text = state.phase == .idle ? "no picture: see Messages" : "generating…"
            let p = layout.previewPicture
            s.put(text, row: p.row + p.height / 2, column: p.column + max(0, (p.width - text.count) / 2), style: .muted)
        }
        // Scrubber: "▶ 12/48 ⟳" then a bar with keyframe ticks and the playhead.
        let bar = state.scrubberBar(layout)
        let count = state.frameCount
        let label = "\(state.isPlaying ? "▶" : "❚❚") \(state.playhead + 1)/\(count) \(state.loops ? "⟳" : "→")"
        s.put(label, row: layout.scrubber.row, column: layout.scrubber.column + 1, style: .accent, maxWidth: 15)
        s.put(String(repeating: "─", count: bar.width), row: bar.row, column: bar.column, style: .muted)
        let head = StudioLayout.column(ofFrame: state.playhead, count: count, bar: bar)
        if head > bar.column { s.put(String(repeating: "━", count: head - bar.column), row: bar.row, column: bar.column, style: .progress) }
        for k in state.document.prompts.keyframes where k.frame < count {
            s.put("◆", row: bar.row, column: StudioLayout.column(ofFrame: k.frame, count: count, bar: bar), style: .keyframe)
        }
        s.put("●", row: bar.row, column: head, style: .playhead)
        let fps = "\(state.document.fps) fps"
        s.put(fps, row: layout.scrubber.row - 1, column: layout.scrubber.column + layout.scrubber.width - fps.count - 1, style: .muted)
    }

    static func drawTimeline<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.timeline
        let focused = state.focus == .timeline
        let p = state.document.prompts
        s.box(r, title: "3 Prompt keyframes · \(p.interpolation) · hold \(String(format: "%.2f", p.holdRatio))\(p.wrap ? " · wrap" : "")",
              focused: focused)
        let ruler = layout.ruler
        let count = state.frameCount
        s.put("frame", row: ruler.row, column: r.inner.column, style: .muted)
        // Ticks every 5th frame when they fit, frame numbers under the ruler at keyframes.
        var line = Array(repeating: Character("·"), count: ruler.width)
        for f in 0..<count where f % 5 == 0 {
            let c = StudioLayout.column(ofFrame: f, count: count, bar: ruler) - ruler.column
            if line.indices.contains(c) { line[c] = "┊" }
        }
        s.put(String(line), row: ruler.row, column: ruler.column, style: .muted)
        for (i, k) in p.keyframes.enumerated() where k.frame < count {
            let c = StudioLayout.column(ofFrame: k.frame, count: count, bar: ruler)
            s.put("◆", row: ruler.row, column: c, style: i == state.selectedKeyframe && focused ? .selection : .keyframe)
        }
        s.put("▲", row: ruler.row + 1, column: StudioLayout.column(ofFrame: state.playhead, count: count, bar: ruler), style: .playhead)
        let listTop = ruler.row + 2
        let visible = max(0, r.inner.bottom - listTop)
        let first = max(0, min(state.selectedKeyframe - visible + 1, p.keyframes.count - visible))
        for (offset, i) in (first..<p.keyframes.count).enumerated() where offset < visible {
            let k = p.keyframes[i]
            let row = listTop + offset
            let selected = i == state.selectedKeyframe
            var prompt = k.prompt.isEmpty ? "(no prompt)" : k.prompt
            var style: Style = selected && focused ? .selection : (k.prompt.isEmpty ? .muted : .normal)
            if case .keyframePrompt(let frame)? = state.edit?.target, frame == k.frame, let field = state.edit?.field {
                prompt = field.text + "▏"
                style = .field
            }
            s.fill(CellRect(row: row, column: r.inner.column, height: 1, width: r.inner.width), style: selected && focused ? .selection : .normal)
            s.put(String(format: "%5d", k.frame), row: row, column: r.inner.column, style: selected && focused ? .selection : .keyframe)
            s.put(" " + prompt, row: row, column: r.inner.column + 5, style: style, maxWidth: r.inner.width - 6)
        }
        if p.keyframes.count > visible {
            s.put("\(p.keyframes.count) keyframes", row: r.bottom - 1, column: r.column + r.width - 16, style: .muted)
        }
    }

    static func drawMessages<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.messages
        s.box(r, title: "5 Messages", focused: state.focus == .messages)
        let inner = r.inner
        let end = max(0, state.messages.count - state.messageScroll)
        let start = max(0, end - inner.height)
        for (offset, m) in state.messages[start..<end].enumerated() {
            let style: Style
            switch m.level {
            case .info: style = .normal
            case .ok: style = .ok
            case .warning: style = .warning
            case .error: style = .error
            }
            s.put(" " + m.text, row: inner.row + offset, column: inner.column, style: style, maxWidth: inner.width)
        }
    }

    static func drawStatus<S: Surface>(_ state: StudioState, _ layout: StudioLayout, _ s: inout S) {
        let r = layout.status
        s.fill(r, style: .status)
        var text: String
        let barWidth = 24
        let fraction = state.stepCount > 0 ? Double(state.step) / Double(state.stepCount) : 0
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        switch state.phase {
        case .idle: text = " idle"
        case .debouncing: text = " edit… restarting"
        case .running:
            text = " generating step \(state.step)/\(state.stepCount)"
            if let rate = state.iterationsPerSecond { text += String(format: "  %.2f it/s", rate) }
            if let eta = state.etaSeconds { text += String(format: "  ETA %.1fs", eta) }
        case .finished:
            text = " done \(state.stepCount)/\(state.stepCount)"
            if let rate = state.iterationsPerSecond { text += String(format: "  %.2f it/s", rate) }
        case .failed: text = " failed (see Messages)"
        }
        s.put(" " + bar, row: r.row, column: 0, style: .progress)
        s.put(text, row: r.row, column: barWidth + 1, style: .status, maxWidth: layout.columns / 2)
        var right = ""
        if let e = state.export {
            right = e.waitingForFrames ? "export waits for the frames " : "exporting \(e.done)/\(e.total) "
        } else if state.history.canUndo {
            right = "\(state.history.undoCount) edits · saved "
        } else {
            right = "saved "
        }
        s.put(right, row: r.row, column: max(barWidth + 30, layout.columns - right.count), style: .status)
    }

    // MARK: Overlays

    static func centered(_ layout: StudioLayout, height: Int, width: Int) -> CellRect {
        let h = min(height, layout.rows - 2), w = min(width, layout.columns - 2)
        return CellRect(row: max(1, (layout.rows - h) / 2), column: max(1, (layout.columns - w) / 2), height: h, width: w)
    }

    static func drawHelp<S: Surface>(_ scroll: Int, _ layout: StudioLayout, _ s: inout S) {
        let lines = KeyBindings.helpLines
        let r = centered(layout, height: layout.rows - 4, width: 78)
        s.fill(r, style: .normal)
        s.box(r, title: "Keys · ↑↓ scroll · any other key closes", focused: true)
        for (offset, line) in lines.dropFirst(scroll).prefix(r.inner.height).enumerated() {
            let isTitle = !line.hasPrefix(" ") && !line.isEmpty
            s.put(" " + line, row: r.inner.row + offset, column: r.inner.column, style: isTitle ? .accent : .normal, maxWidth: r.inner.width)
        }
    }

    static func drawPalette<S: Surface>(_ field: TextField, _ selection: Int, _ layout: StudioLayout, _ s: inout S) {
        let matches = StudioState.matchingCommands(field.text)
        let r = CellRect(row: 2, column: max(1, (layout.columns - 60) / 2), height: min(layout.rows - 4, max(4, matches.count + 3)), width: min(60, layout.columns - 2))
        s.fill(r, style: .normal)
        s.box(r, title: "Commands", focused: true)
        s.fill(CellRect(row: r.inner.row, column: r.inner.column, height: 1, width: r.inner.width), style: .field)
        s.put(":" + field.text + "▏", row: r.inner.row, column: r.inner.column, style: .field, maxWidth: r.inner.width)
        for (i, c) in matches.prefix(r.inner.height - 1).enumerated() {
            let row = r.inner.row + 1 + i
            let style: Style = i == selection ? .selection : .normal
            s.fill(CellRect(row: row, column: r.inner.column, height: 1, width: r.inner.width), style: style)
            s.put(" " + c.title, row: row, column: r.inner.column, style: style, maxWidth: r.inner.width)
        }
    }

    static func drawPicker<S: Surface>(_ picker: FilePicker, _ layout: StudioLayout, _ s: inout S) {
        let r = pickerRect(layout)
        s.fill(r, style: .normal)
        s.box(r, title: "Pick a \(picker.purpose.rawValue) · type to filter · Enter · Esc", focused: true)
        let list = pickerList(layout)
        s.put(picker.directory, row: r.inner.row, column: r.inner.column + 1, style: .accent, maxWidth: r.inner.width - 2)
        s.fill(CellRect(row: r.inner.row + 1, column: r.inner.column, height: 1, width: r.inner.width), style: .field)
        s.put(" filter: " + picker.filter.text + "▏", row: r.inner.row + 1, column: r.inner.column, style: .field, maxWidth: r.inner.width)
        let rows = picker.visible
        let first = max(0, min(picker.selection - list.height / 2, rows.count - list.height))
        for (offset, i) in (first..<rows.count).enumerated() where offset < list.height {
            let e = rows[i]
            let style: Style = i == picker.selection ? .selection : (e.kind == .folder || e.kind == .parent ? .accent : .normal)
            s.fill(CellRect(row: list.row + offset, column: list.column, height: 1, width: list.width), style: style)
            s.put(" " + e.name, row: list.row + offset, column: list.column, style: style, maxWidth: list.width)
        }
        if let note = picker.note { s.put(note, row: r.bottom - 2, column: r.inner.column + 1, style: .warning, maxWidth: r.inner.width - 2) }
        if rows.isEmpty { s.put(" nothing matches", row: list.row, column: list.column, style: .muted) }
    }

    /// The picker's rectangle.
    public static func pickerRect(_ layout: StudioLayout) -> CellRect {
        centered(layout, height: layout.rows - 4, width: min(100, layout.columns - 4))
    }

    /// The picker's list (left part; the thumbnail goes right of it).
    public static func pickerList(_ layout: StudioLayout) -> CellRect {
        let r = pickerRect(layout).inner
        return CellRect(row: r.row + 2, column: r.column, height: r.height - 3, width: r.width * 3 / 5)
    }

    /// Where the picker's thumbnail goes.
    public static func pickerThumbnail(_ layout: StudioLayout) -> CellRect {
        let r = pickerRect(layout).inner
        let list = pickerList(layout)
        return CellRect(row: list.row, column: list.column + list.width + 1, height: list.height, width: r.width - list.width - 2)
    }

    static func drawExport<S: Surface>(_ state: StudioState, _ selection: Int, _ layout: StudioLayout, _ s: inout S) {
        let r = centered(layout, height: 14, width: 64)
        s.fill(r, style: .normal)
        s.box(r, title: "Export", focused: true)
        let o = state.document.output
        let size = state.shownFrame.map { "\($0.width)×\($0.height) → \($0.width * o.upscale)×\($0.height * o.upscale)" } ?? ""
        var pathValue = o.path
        if case .exportPath? = state.edit?.target, let field = state.edit?.field { pathValue = field.text + "▏" }
        let values = [o.format, "×\(o.upscale)  \(size)", o.filter, "\(state.document.fps)", o.layout, pathValue, "[ Export \(state.frameCount) frames ]"]
        for (i, name) in StudioState.exportFields.enumerated() {
            let row = r.inner.row + 1 + i
            let style: Style = i == selection ? .selection : .normal
            s.fill(CellRect(row: row, column: r.inner.column, height: 1, width: r.inner.width), style: style)
            if name == "Export" {
                s.put("   " + values[i], row: row, column: r.inner.column + 10, style: style, maxWidth: r.inner.width - 10)
            } else {
                s.put(" " + name.padding(toLength: 9, withPad: " ", startingAt: 0) + "‹ " + values[i] + " ›", row: row,
                      column: r.inner.column, style: style, maxWidth: r.inner.width)
            }
        }
        var note = state.frames == nil ? "the export starts when the generation finishes" : "the file is read back to check its frame count"
        if let e = state.export { note = e.waitingForFrames ? "waiting for the frames…" : "writing \(e.done)/\(e.total)…" }
        s.put(" " + note, row: r.bottom - 3, column: r.inner.column, style: .muted, maxWidth: r.inner.width)
        s.put(" ↑↓ field · ←→ change · Enter · Esc close", row: r.bottom - 2, column: r.inner.column, style: .muted, maxWidth: r.inner.width)
    }

    static func drawConfirm<S: Surface>(_ layout: StudioLayout, _ s: inout S) {
        let r = centered(layout, height: 5, width: 56)
        s.fill(r, style: .normal)
        s.box(r, title: "Quit?", focused: true)
        s.put(" An export is running. Quit and cancel it? (y/n)", row: r.inner.row + 1, column: r.inner.column, style: .warning, maxWidth: r.inner.width)
    }

    /// The rectangles an open overlay covers (pictures under them are not drawn).
    public static func overlayRect(_ state: StudioState, layout: StudioLayout) -> CellRect? {
        switch state.overlay {
        case .help: return centered(layout, height: layout.rows - 4, width: 78)
        case .palette: return CellRect(row: 2, column: max(1, (layout.columns - 60) / 2), height: layout.rows - 4, width: min(60, layout.columns - 2))
        case .picker: return pickerRect(layout)
        case .export: return centered(layout, height: 14, width: 64)
        case .confirmQuit: return centered(layout, height: 5, width: 56)
        case nil: return nil
        }
    }
}
