import ArgumentParser
import COpenBLAS

/// The `zoetrope` command: the headless tools (the studio joins them as the default subcommand with issue 9).
@main
struct Zoetrope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoetrope",
        abstract: "Animate a still picture of a person from a pose sequence — a terminal studio over a CPU diffusion engine.",
        discussion: """
        Examples:
          zoetrope synth --out dancers --clips 4 --frames 16   procedural dancers
          zoetrope preview dancers/clip_00000/frames          play frames here
          zoetrope render demo/demo.zoetrope.json             a project to MP4
          zoetrope convert frames/ clip.mp4 --fps 12          frames to H.264
          zoetrope inspect image photo.jpg                    format and size
          zoetrope inspect weights model.safetensors          inside a checkpoint

        Environment:
          ZOETROPE_THREADS   default for --threads (CPU threads to use)
        """,
        version: ZoetropeVersion.string,
        subcommands: [
            Inspect.self,
            Convert.self,
            Bench.self,
            SynthCommand.self,
            RenderCommand.self,
            TrainCommand.self,
            EvalCommand.self,
            PreviewCommand.self,
            StudioCommand.self,
        ]
    )

    /// Picks OpenBLAS's fastest kernels (which may re-execute the program once), then runs the command.
    static func main() {
        OpenBLASKernels.upgradeIfNeeded()
        main(nil)
    }
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
            InspectWeights.self,
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
            BenchEngine.self,
            BenchGenerate.self,
            BenchSession.self,
            BenchStudioCommand.self,
        ]
    )
}

enum ZoetropeVersion {
    static let string = "0.1.0"
}
