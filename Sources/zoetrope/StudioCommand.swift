import ArgumentParser
import Foundation
import Preview
import TUI

/// `zoetrope studio [PROJECT]`: the interactive studio.
struct StudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Open the interactive studio on a project: tune, watch the clip sharpen, scrub, keyframe, export.",
        discussion: """
        Opens PROJECT (*.zoetrope.json; default: the bundled demo/demo.zoetrope.json) and starts generating at once.
        Every edit is saved to the project file immediately and restarts the generation. Press ? for every key.

        Environment:
          ZOETROPE_THEME       theme name or file (dark, light, high-contrast, ansi16, or a user theme)
          ZOETROPE_RENDERER    force the picture renderer: sixel, halfblock-truecolor, halfblock-256, ascii
          ZOETROPE_STUDIO_TRACE   append JSON lines about what is shown to this file (tests, benchmarks)
          ZOETROPE_STUDIO_DUMP    write the preview as shown (shown.png, shown.json) into this folder
        """
    )

    @Argument(help: "The project file (*.zoetrope.json).")
    var project: String?

    @Option(help: "Theme name or .theme file (default: $ZOETROPE_THEME, the saved choice, else dark).")
    var theme: String?

    @Option(help: "Model checkpoint instead of the project's.")
    var model: String?

    @Flag(help: "Do not enable mouse reporting.")
    var noMouse = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.apply()
        let projectURL: URL
        if let project {
            projectURL = URL(fileURLWithPath: project)
        } else if let demo = Self.bundledDemo() {
            projectURL = demo
        } else {
            throw ValidationError("no project given and no demo project found (demo/demo.zoetrope.json); run `zoetrope studio PROJECT.zoetrope.json`")
        }
        let env = ProcessInfo.processInfo.environment
        var options = StudioOptions(projectURL: projectURL, shippedThemes: Self.shippedThemes())
        options.theme = theme
        options.model = model
        options.mouse = !noMouse
        if let name = env["ZOETROPE_RENDERER"], !name.isEmpty {
            guard let r = Renderer(rawValue: name) else {
                throw ValidationError("ZOETROPE_RENDERER=\(name): expected one of \(Renderer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.renderer = r
        }
        options.tracePath = env["ZOETROPE_STUDIO_TRACE"].flatMap { $0.isEmpty ? nil : $0 }
        options.dumpFolder = env["ZOETROPE_STUDIO_DUMP"].flatMap { $0.isEmpty ? nil : $0 }
        let studio: Studio
        do {
            studio = try Studio(options: options)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let status = studio.run()
        if status != 0 { throw ExitCode(status) }
    }

    /// The shipped `themes/` folder: beside the repository the executable was built in, else the working directory's.
    static func shippedThemes() -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("themes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("dark.theme").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "themes")
    }

    /// `demo/demo.zoetrope.json` in the working directory or beside the executable's repository.
    static func bundledDemo() -> URL? {
        var candidates = [URL(fileURLWithPath: "demo/demo.zoetrope.json")]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("demo/demo.zoetrope.json"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
