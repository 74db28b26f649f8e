import ArgumentParser
import COpenBLAS

/// The `zoetrope` command: the studio by default, and the headless tools beside it.
@main
struct Zoetrope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoetrope",
        abstract: "Animate a still picture of a person from a pose sequence — a terminal studio over a CPU diffusion engine.",
        discussion: """
        Examples:
          zoetrope inspect image photo.jpg           format, size and colour type of an image
          zoetrope convert frames/ clip.mp4 --fps 12 a folder of PNG frames to an H.264 clip
          zoetrope convert photo.jpg big.png --upscale 4

        Environment:
          ZOETROPE_THREADS   default for --threads (CPU threads for OpenBLAS and parallel loops)
        """,
        version: ZoetropeVersion.string,
        subcommands: [
            Inspect.self,
            Convert.self,
            Bench.self,
            SynthCommand.self,
            PreviewCommand.self,
        ]
    )
}

/// `zoetrope inspect ...`: look inside files, the terminal, the engine.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what is inside an image, a checkpoint, a schedule or the terminal.",
        subcommands: [
            InspectScheduleCommand.self,
            InspectPromptsCommand.self,
            InspectImage.self,
            InspectTerminalCommand.self,
        ]
    )
}

/// `zoetrope bench ...`: Zoetrope side by side with its peers, measured in one run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that time Zoetrope beside its peers in the same run and print the ratios.",
        subcommands: [
            BenchExport.self,
            BenchImaging.self,
            BenchDancersCommand.self,
            BenchSixelCommand.self,
        ]
    )
}

enum ZoetropeVersion {
    static let string = "0.1.0"
}
