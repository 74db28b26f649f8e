import Foundation
import Imaging
import Media
import Testing
import TUI

/// The studio's state machine without a terminal: keys in, state and effects out.
@Suite("Studio state")
struct StudioStateTests {
    static func makeState(poses: Int = 12) -> StudioState {
        var document = ProjectDocument(reference: "ref.png", poses: "poses")
        document.prompts.keyframes = [.init(frame: 0, prompt: "smiling")]
        return StudioState(document: document, projectName: "p.zoetrope.json", limits: StudioLimits(poseCount: poses, frameWindow: 16))
    }
    static let layout = StudioLayout(rows: 40, columns: 120)

    /// Sends keys; returns every effect.
    @discardableResult
    static func press(_ state: inout StudioState, _ keys: StudioKey...) -> [StudioEffect] {
        keys.flatMap { state.handle($0, layout: layout) }
    }

    static func type(_ state: inout StudioState, _ text: String) {
        for c in text { _ = state.handle(.char(c), layout: layout) }
    }

    @Test("panels: Tab cycles 1→5→1, S-Tab goes back, digits jump")
    func panels() {
        var s = Self.makeState()
        #expect(s.focus == .parameters)
        Self.press(&s, .tab); #expect(s.focus == .timeline)
        Self.press(&s, .tab, .tab, .tab); #expect(s.focus == .reference)
        Self.press(&s, .backTab); #expect(s.focus == .messages)
        Self.press(&s, .char("4")); #expect(s.focus == .preview)
    }

    @Test("a guidance scale goes up by 0.1 per →, ten steps with L, clamps at the range, and is one undo step")
    func guidance() {
        var s = Self.makeState()
        Self.press(&s, .char("j"), .char("j"), .char("j"), .char("j"), .char("j"))
        #expect(StudioParameter.all[s.selectedParameter].name == "guidance.prompt")
        let effects = Self.press(&s, .right, .right)
        #expect(effects.filter { $0 == .documentChanged }.count == 2)
        #expect(abs(s.document.guidance.prompt - 3.2) < 1e-12)
        Self.press(&s, .char("L"))
        #expect(abs(s.document.guidance.prompt - 4.2) < 1e-12)
        for _ in 0..<100 { Self.press(&s, .char("L")) }
        #expect(s.document.guidance.prompt == 50)
        // Held → on one parameter is one step: one undo returns to 3.0.
        Self.press(&s, .char("u"))
        #expect(s.document.guidance.prompt == 3.0)
        Self.press(&s, .control("r"))
        #expect(s.document.guidance.prompt == 50)
    }

    @Test("typed values: Enter opens the field, bad input gives one message and changes nothing")
    func typedValues() {
        var s = Self.makeState()
        Self.press(&s, .char("j"))  // Steps
        Self.press(&s, .enter)
        #expect(s.isTyping)
        Self.press(&s, .control("u"))
        Self.type(&s, "abc")
        Self.press(&s, .enter)
        #expect(s.messages.last?.text == "steps: \"abc\" is not a number")
        #expect(s.document.steps == 20)
        Self.press(&s, .control("u"))
        Self.type(&s, "500")
        Self.press(&s, .enter)
        #expect(s.messages.last?.text.hasPrefix("steps: 500 is out of range") == true)
        Self.press(&s, .control("u"))
        Self.type(&s, "8")
        let effects = Self.press(&s, .enter)
        #expect(s.document.steps == 8 && effects == [.documentChanged] && !s.isTyping)
    }

    @Test("keyframes: add at the playhead with a typed prompt, move, lerp/slerp, hold ratio, delete; all undoable")
    func keyframes() {
        var s = Self.makeState()
        Self.press(&s, .char("4"), .right, .right, .right)  // playhead 3
        Self.press(&s, .char("3"), .char("a"))
        Self.type(&s, "warm light")
        Self.press(&s, .enter)
        #expect(s.document.prompts.keyframes == [.init(frame: 0, prompt: "smiling"), .init(frame: 3, prompt: "warm light")])
        #expect(s.selectedKeyframe == 1)
        Self.press(&s, .char(">"), .char(">"))
        #expect(s.document.prompts.keyframes.map(\.frame) == [0, 5])
        #expect(s.playhead == 5)
        Self.press(&s, .char("i"), .char("]"), .char("]"))
        #expect(s.document.prompts.interpolation == "slerp" && abs(s.document.prompts.holdRatio - 0.6) < 1e-12)
        Self.press(&s, .char("<"), .char("<"), .char("<"), .char("<"), .char("<"))  // stops before frame 0's keyframe
        #expect(s.document.prompts.keyframes.map(\.frame) == [0, 1])
        #expect(s.messages.last?.text == "frame 0 already has a keyframe")
        Self.press(&s, .char("d"))
        #expect(s.document.prompts.keyframes.map(\.frame) == [0])
        Self.press(&s, .char("d"))
        #expect(s.document.prompts.keyframes.count == 1, "the last keyframe stays")
        // Undo everything back to the start, step by step; redo replays.
        var undos = 0
        while s.history.canUndo { Self.press(&s, .char("u")); undos += 1 }
        #expect(s.document == Self.makeState().document)
        #expect(undos == 7, "add, typing, move, interpolation, hold, move back, delete")
        for _ in 0..<undos { Self.press(&s, .control("r")) }
        #expect(s.document.prompts.keyframes.map(\.frame) == [0] && s.document.prompts.interpolation == "slerp")
    }

    @Test("scrubber and playback: ←/→, Home/End, Space plays and loops, o stops the loop at the end")
    func playback() {
        var s = Self.makeState(poses: 5)
        Self.press(&s, .char("4"), .right, .right)
        #expect(s.playhead == 2)
        Self.press(&s, .end); #expect(s.playhead == 4)
        Self.press(&s, .right); #expect(s.playhead == 4)
        Self.press(&s, .home); #expect(s.playhead == 0)
        Self.press(&s, .char(" "))
        #expect(s.isPlaying)
        for _ in 0..<7 { s.tickPlayback() }
        #expect(s.playhead == 2)  // 7 ticks over 5 frames, looping
        Self.press(&s, .char("o"))
        for _ in 0..<10 { s.tickPlayback() }
        #expect(s.playhead == 4 && !s.isPlaying)
    }

    @Test("mouse: a click on the scrubber sets the frame; a click on a keyframe marker selects it")
    func mouse() {
        var s = Self.makeState(poses: 12)
        let bar = s.scrubberBar(Self.layout)
        Self.press(&s, .mouse(row: bar.row, column: bar.column + bar.width - 1, action: .press))
        #expect(s.playhead == 11 && s.focus == .preview)
        Self.press(&s, .mouse(row: bar.row, column: bar.column, action: .drag))
        #expect(s.playhead == 0)
        s.handle(.char("4"), layout: Self.layout)
        Self.press(&s, .char("."), .char("."), .char("."), .char("."))  // playhead 4
        Self.press(&s, .char("3"), .char("a"), .escape)
        let ruler = Self.layout.ruler
        Self.press(&s, .mouse(row: ruler.row, column: StudioLayout.column(ofFrame: 0, count: 12, bar: ruler), action: .press))
        #expect(s.selectedKeyframe == 0 && s.playhead == 0)
        Self.press(&s, .mouse(row: ruler.row, column: StudioLayout.column(ofFrame: 4, count: 12, bar: ruler), action: .press))
        #expect(s.selectedKeyframe == 1 && s.playhead == 4)
    }

    @Test("quit asks while an export runs; the palette runs commands and `set NAME VALUE`")
    func quitAndPalette() {
        var s = Self.makeState()
        #expect(Self.press(&s, .char("q")) == [.quit])
        s.export = .init(path: "out.mp4")
        #expect(Self.press(&s, .char("q")).isEmpty)
        #expect(Self.press(&s, .char("n")) == [.redrawAll])
        Self.press(&s, .char("q"))
        #expect(Self.press(&s, .char("y")) == [.cancelExport, .quit])
        s.export = nil
        Self.press(&s, .char(":"))
        Self.type(&s, "set steps 9")
        Self.press(&s, .enter)
        #expect(s.document.steps == 9)
        Self.press(&s, .char(":"))
        Self.type(&s, "set cfg 3")
        Self.press(&s, .enter)
        #expect(s.messages.last?.text.hasPrefix("set: no parameter \"cfg\"") == true)
        Self.press(&s, .char(":"))
        Self.type(&s, "them lig")
        #expect(Self.press(&s, .enter).contains(.theme("light")))
    }

    @Test("export dialog: format cycles and renames the path, upscale clamps, Export starts it")
    func exportDialog() {
        var s = Self.makeState()
        Self.press(&s, .char("E"), .right)
        #expect(s.document.output.format == "gif" && s.document.output.path == "out.gif")
        Self.press(&s, .right)
        #expect(s.document.output.format == "png-seq" && s.document.output.path == "out")
        Self.press(&s, .down)
        for _ in 0..<20 { Self.press(&s, .right) }
        #expect(s.document.output.upscale == 16)
        Self.press(&s, .down, .down, .down, .down, .down)
        #expect(Self.press(&s, .enter) == [.startExport, .redrawAll])
    }

    @Test("every key in the help exists as a binding that does something in some panel")
    func helpCoversKeys() {
        #expect(KeyBindings.helpLines.count > 40)
        // Each single-character binding named in the help changes state or yields an effect somewhere.
        let singles: [Character] = ["o", "u", "R", "P", "E", "g", "?", ":", "q", "a", "e", "d", "i", "[", "]", "w", "c", " ", ",", "."]
        for c in singles {
            var changed = false
            for panel in StudioState.Panel.allCases {
                var s = Self.makeState()
                s.focus = panel
                s.playhead = 3
                s.messages = [.init(level: .info, text: "x")]
                let before = "\(s.document.makeJSON()) \(s.playhead) \(s.isPlaying) \(s.loops) \(s.messages.count) \(String(describing: s.overlay)) \(s.edit != nil)"
                let effects = s.handle(.char(c), layout: Self.layout)
                let after = "\(s.document.makeJSON()) \(s.playhead) \(s.isPlaying) \(s.loops) \(s.messages.count) \(String(describing: s.overlay)) \(s.edit != nil)"
                if !effects.isEmpty || before != after { changed = true }
            }
            #expect(changed, "key \(c) does nothing in any panel")
        }
    }

    @Test("generation progress: it/s and ETA from the step times; finished frames replace previews")
    func progress() {
        var s = Self.makeState(poses: 3)
        s.generationStarted(steps: 10, at: 100)
        let frame = RGBImage(width: 4, height: 4, fill: RGB(10, 20, 30))
        s.generationStepped(index: 3, count: 10, previews: [frame, frame, frame], at: 102)
        #expect(s.iterationsPerSecond == 2 && s.etaSeconds == 3)
        #expect(s.shownFrame == frame)
        let done = RGBImage(width: 4, height: 4, fill: RGB(1, 2, 3))
        s.generationFinished(frames: [done, done, done], at: 105)
        #expect(s.shownFrame == done && s.phase == .finished && s.etaSeconds == nil)
    }
}
