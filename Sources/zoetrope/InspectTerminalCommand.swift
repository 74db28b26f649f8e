import ArgumentParser
import Foundation
import Preview

/// `zoetrope inspect terminal`: what the terminal can show and which renderer Zoetrope would use.
struct InspectTerminalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminal",
        abstract: "Probe the terminal (sixel, colour registers, cell size, colours, tmux/screen) and print the renderer.",
        discussion: "Asks DA1, CSI ? 1 ; 1 ; 0 S and, when TIOCGWINSZ has no pixel size, CSI 16 t, waiting at most 200 ms.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let caps = TerminalIO.probe()
        if json {
            struct Output: Codable { var capabilities: TerminalCapabilities; var renderer: Renderer }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(Output(capabilities: caps, renderer: caps.renderer)), as: UTF8.self))
            return
        }
        print(Self.describe(caps))
    }

    /// The capabilities as aligned lines.
    static func describe(_ caps: TerminalCapabilities) -> String {
        func yes(_ b: Bool) -> String { b ? "yes" : "no" }
        var lines: [(String, String)] = [
            ("terminal", caps.isTerminal ? "yes" : "no (standard input/output are not a terminal; environment only)"),
            ("TERM", caps.term ?? "(unset)"),
            ("answered DA1", caps.isTerminal ? yes(caps.answered) + (caps.answered ? "" : " (no reply within 200 ms)") : "not asked"),
        ]
        if !caps.deviceAttributes.isEmpty {
            lines.append(("DA1", caps.deviceAttributes.map(String.init).joined(separator: ";")))
        }
        lines += [
            ("sixel", yes(caps.sixel) + (caps.sixel ? " (DA1 parameter 4)" : "")),
            ("colour registers", caps.colorRegisters.map(String.init) ?? "not reported (256 assumed)"),
            ("cell size", "\(caps.cellWidth)×\(caps.cellHeight) px (\(caps.cellSizeSource))"),
            ("screen", caps.columns.map { "\($0)×\(caps.rows ?? 0) cells" } ?? "unknown"),
            ("true colour", yes(caps.trueColor)),
            ("256 colours", yes(caps.colors256)),
            ("multiplexer", caps.multiplexer.rawValue),
        ]
        let row = RendererTable.rows.first { $0.renderer == caps.renderer }
        lines.append(("renderer", "\(caps.renderer.rawValue) (\(row?.requirement ?? ""))"))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
