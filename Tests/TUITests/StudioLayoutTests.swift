import Foundation
import Imaging
import Media
import Preview
import Testing
import TUI

/// Layout, drawing onto a character grid, picture placement, the file picker and the text field — no terminal.
@Suite("Studio layout and drawing")
struct StudioLayoutTests {
    @Test("panels tile the screen without overlap at several sizes; pictures stay off the last row",
          arguments: [(24, 80), (30, 100), (40, 120), (50, 160), (60, 240), (36, 90)])
    func layout(rows: Int, columns: Int) {
        let l = StudioLayout(rows: rows, columns: columns)
        #expect(!l.isTooSmall)
        let panels = [l.reference, l.parameters, l.preview, l.timeline, l.messages]
        for (i, a) in panels.enumerated() {
            #expect(a.height >= 3 && a.width >= 10, "\(a)")
            #expect(a.row >= 1 && a.bottom <= rows - 1 && a.column + a.width <= columns, "\(a) outside \(rows)×\(columns)")
            for b in panels[(i + 1)...] { #expect(!a.intersects(b), "\(a) overlaps \(b)") }
        }
        // Every body cell belongs to one panel.
        for r in 1..<(rows - 1) { for c in 0..<columns { #expect(l.panel(row: r, column: c) != nil, "(\(r), \(c))") } }
        for p in [l.previewPicture, l.referencePicture] {
            #expect(p.height >= 2 && p.bottom < rows - 1)
        }
        #expect(l.preview.inner.contains(row: l.scrubber.row, column: l.scrubber.column))
    }

    @Test("below 80×24 the screen says so, with the size and the minimum", arguments: [(23, 80), (24, 79), (10, 40)])
    func tooSmall(rows: Int, columns: Int) {
        let l = StudioLayout(rows: rows, columns: columns)
        #expect(l.isTooSmall)
        var surface = TextSurface(rows: rows, columns: columns)
        StudioView.draw(StudioStateTests.makeState(), layout: l, on: &surface)
        #expect(surface.text.contains("Terminal too small: \(columns)×\(rows)."))
    }

    @Test("the drawn screen shows every panel, parameter values, keyframes, scrubber and status")
    func drawing() {
        var s = StudioStateTests.makeState(poses: 12)
        s.generationStarted(steps: 20, at: 0)
        s.generationStepped(index: 4, count: 20, previews: Array(repeating: RGBImage(width: 8, height: 8), count: 12), at: 2.5)
        s.playhead = 5
        let l = StudioLayout(rows: 40, columns: 120)
        var surface = TextSurface(rows: 40, columns: 120)
        StudioView.draw(s, layout: l, on: &surface)
        let text = surface.text
        for title in ["1 Reference", "2 Parameters", "3 Prompt keyframes", "4 Preview", "5 Messages"] { #expect(text.contains(title)) }
        #expect(text.range(of: #"CFG prompt\s+3\.0"#, options: .regularExpression) != nil)
        #expect(text.contains("    0 smiling"))
        #expect(text.contains("6/12"))
        #expect(text.contains("generating step 5/20  2.00 it/s  ETA 7.5s"))
        // Nothing on the picture rectangle: it is left for the terminal graphics.
        let p = l.previewPicture
        for r in p.row..<p.bottom { #expect(surface.line(r).dropFirst(p.column).prefix(p.width).allSatisfy { $0 == " " }) }
    }

    @Test("overlays: help lists bindings, palette filters, the export dialog shows the sizes")
    func overlays() {
        var s = StudioStateTests.makeState()
        let l = StudioLayout(rows: 40, columns: 120)
        _ = s.handle(.char("?"), layout: l)
        var surface = TextSurface(rows: 40, columns: 120)
        StudioView.draw(s, layout: l, on: &surface)
        #expect(surface.text.contains("Keys ·") && surface.text.contains("command palette"))
        _ = s.handle(.escape, layout: l)
        _ = s.handle(.char(":"), layout: l)
        for c in "undo" { _ = s.handle(.char(c), layout: l) }
        surface = TextSurface(rows: 40, columns: 120)
        StudioView.draw(s, layout: l, on: &surface)
        #expect(surface.text.contains(":undo") && surface.text.contains(" undo") && !surface.text.contains(" regenerate "))
    }

    @Test("pictures: largest whole enlargement that fits, centred; shrunk when too large; half blocks are 1×2 pixels")
    func placement() throws {
        let frame = RGBImage(width: 16, height: 16, fill: RGB(200, 10, 10))
        let area = CellRect(row: 2, column: 40, height: 20, width: 80)
        let half = try #require(PictureWriter.place(frame, in: area, renderer: .halfBlockTrueColor, cellWidth: 10, cellHeight: 20))
        // 80 × 40 pixels available → ×2 → 32×32 pixels = 32 columns × 16 rows, centred.
        #expect(half.scale == 2 && half.rect == CellRect(row: 4, column: 64, height: 16, width: 32))
        let sixel = try #require(PictureWriter.place(frame, in: area, renderer: .sixel, cellWidth: 10, cellHeight: 20))
        // 800 × 400 pixels → ×25 → 400×400 = 40 columns × 20 rows.
        #expect(sixel.scale == 25 && sixel.rect.width == 40 && sixel.rect.height == 20)
        let big = RGBImage(width: 300, height: 150)
        let shrunk = try #require(PictureWriter.place(big, in: area, renderer: .halfBlock256, cellWidth: 10, cellHeight: 20))
        #expect(shrunk.image.width == 80 && shrunk.image.height == 40 && shrunk.rect.height == 20)
        // The bytes start by saving the cursor, end by restoring it, and address the placement's first cell.
        let bytes = try #require(PictureWriter.bytes(half, renderer: .halfBlockTrueColor, encoder: SixelEncoder()))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}7\u{1B}[5;65H") && text.hasSuffix("\u{1B}8"))
    }

    @Test("file picker: type filter, folders first, type-to-filter, choose, recent files, pose folders")
    func picker() throws {
        let dir = try TUITestSupport.makeTemporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("walk"), withIntermediateDirectories: true)
        for name in ["b.png", "a.jpg", "notes.txt", "c.webp"] { try Data().write(to: dir.appendingPathComponent(name)) }
        for i in 0..<3 { try Data("{}".utf8).write(to: dir.appendingPathComponent("walk/\(i)_keypoints.json")) }
        var p = FilePicker(purpose: .reference, directory: dir.path, recent: [dir.appendingPathComponent("c.webp").path])
        #expect(p.visible.map(\.name) == ["..", "★ c.webp", "walk/", "a.jpg", "b.png", "c.webp"])
        for c in "b.p" { _ = p.handle(.char(c)) }
        #expect(p.visible.map(\.name) == ["..", "b.png"])
        _ = p.handle(.down)
        #expect(p.handle(.enter) == .chosen(dir.appendingPathComponent("b.png").path))
        var poses = FilePicker(purpose: .poses, directory: dir.path)
        _ = poses.handle(.down)  // walk/
        _ = poses.handle(.enter)
        #expect(poses.directory.hasSuffix("/walk"))
        #expect(poses.visible.first { $0.kind == .useFolder }?.name == "[use this folder: 3 pose files]")
        _ = poses.handle(.down)
        #expect(poses.handle(.enter) == .chosen(poses.directory))
        _ = poses.handle(.backspace)  // empty filter: up one folder
        #expect(poses.directory == URL(fileURLWithPath: dir.path).standardizedFileURL.path)
        #expect(poses.handle(.escape) == .cancelled)
    }

    @Test("text field: insert, delete, readline keys")
    func textField() {
        var f = TextField("warm")
        _ = f.apply(.char(" ")); _ = f.apply(.char("x"))
        #expect(f.text == "warm x")
        _ = f.apply(.backspace); _ = f.apply(.home); _ = f.apply(.delete)
        #expect(f.text == "arm " && f.cursor == 0)
        _ = f.apply(.end); _ = f.apply(.control("w"))
        #expect(f.text == "")
        let consumed = f.apply(.enter)
        #expect(!consumed)
    }
}
