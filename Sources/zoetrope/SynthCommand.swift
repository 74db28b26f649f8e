import ArgumentParser
import Dancers
import Foundation
import Imaging
import Media

/// `zoetrope synth`: renders a Dancers dataset to disk in the documented layout (see `DatasetLayout`).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Render a procedural dancers dataset: frames, OpenPose keypoints, masks, depth, parts, captions.",
        discussion: """
        Clip i dances with identity (i mod N). The test split (--split test) draws identity and motion seeds that
        the train split never uses. Layout: DIR/meta.json, DIR/captions.jsonl, DIR/clip_00000/{clip.json,
        frames/0000.png, poses/0000_keypoints.json, masks/0000_face.png, masks/0000_hands.png, depth/0000.png,
        parts/0000.png}. See docs/dancers.md.
        """)

    @Option(name: .long, help: "Output folder (created; must not exist or be empty).") var out: String
    @Option(name: .long, help: "Number of distinct identities.") var identities: Int = 16
    @Option(name: .long, help: "Number of clips.") var clips: Int = 16
    @Option(name: .long, help: "Frames per clip.") var frames: Int = 16
    @Option(name: .long, help: "Frame size in pixels (square).") var size: Int = 64
    @Option(name: .long, help: "Dataset seed.") var seed: UInt64 = 0
    @Option(name: .long, help: "Split: train or test.") var split: String = "train"
    @Option(name: .long, help: "Frames per second of the clips.") var fps: Float = 12
    @Option(name: .long, help: "Motion-blur sub-frames per frame.") var subframes: Int = 8
    @Option(name: .long, help: "Also write a contact sheet PNG (first clip of up to 16 identities, 4 frames each, with pose maps).")
    var contactSheet: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.apply()
        guard let split = DatasetSplit(rawValue: split) else {
            throw ValidationError("--split must be train or test, got \(split)")
        }
        guard clips >= 1 else { throw ValidationError("--clips must be at least 1, got \(clips)") }
        var c = SynthConfiguration()
        c.width = size; c.height = size; c.frames = frames; c.fps = fps; c.subframes = subframes
        c.identities = identities; c.seed = seed; c.split = split
        let generator: DancerGenerator
        do { generator = try DancerGenerator(c) } catch { throw ValidationError(error.description) }

        let root = URL(fileURLWithPath: out)
        let fm = FileManager.default
        if fm.fileExists(atPath: root.path),
           let items = try? fm.contentsOfDirectory(atPath: root.path), !items.isEmpty {
            throw ValidationError("synth output \(out): folder exists and is not empty; choose a new folder")
        }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try DatasetLayout.metaJSON(c, clips: clips).write(to: root.appendingPathComponent("meta.json"), options: .atomic)
        var captions = ""
        var sheetTiles: [RGBImage] = []
        var sheetIdentities = Set<Int>()
        let started = Date()
        for clip in generator.stream(0..<clips) {
            captions += try DancerDatasetWriter.write(clip, to: root)
            if contactSheet != nil, sheetIdentities.count < 16, !sheetIdentities.contains(clip.identityIndex) {
                sheetIdentities.insert(clip.identityIndex)
                for k in 0..<4 {
                    let f = clip.frames[min(clip.frames.count - 1, k * max(1, clip.frames.count / 4))]
                    sheetTiles.append(f.image)
                    sheetTiles.append(ConditionMaps.poseMap(f.pose, width: size, height: size))
                }
            }
            progress(done: clip.index + 1, total: clips, started: started)
        }
        try Data(captions.utf8).write(to: root.appendingPathComponent("captions.jsonl"), options: .atomic)
        FileHandle.standardError.write(Data("\n".utf8))
        if let contactSheet {
            let sheet = ContactSheet.grid(sheetTiles, columns: 8)
            try PNGWriter.write(sheet, to: URL(fileURLWithPath: contactSheet), overwrite: true)
            print("contact sheet: \(contactSheet) (\(sheet.width)×\(sheet.height))")
        }
        print("wrote \(clips) clips × \(frames) frames (\(size)×\(size), split \(split.rawValue)) to \(out)")
    }

    private func progress(done: Int, total: Int, started: Date) {
        let width = 30
        let filled = total > 0 ? done * width / total : width
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done * frames) / elapsed : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\rsynth [\(bar)] \(done)/\(total) clips  \(String(format: "%.0f", rate)) frames/s".utf8))
    }
}
