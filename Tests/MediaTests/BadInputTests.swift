import Foundation
import Imaging
import Media
import Testing

/// Every bad input gives a `MediaError` of the right kind whose one-line description names the file.
@Suite("Bad input")
struct BadInputTests {
    func error(reading name: String) -> MediaError? {
        let url = MediaTestSupport.fixtures.appendingPathComponent(name)
        do {
            _ = try ImageFile.read(url)
            return nil
        } catch let error as MediaError {
            return error
        } catch {
            return nil
        }
    }

    func expectOneLine(_ error: MediaError?, kind: MediaError.Kind, naming name: String, saying words: String) {
        guard let error else {
            Issue.record("no MediaError for \(name)")
            return
        }
        #expect(error.kind == kind)
        #expect(error.description.contains(name))
        #expect(error.description.contains(words), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test func truncatedPNG() {
        expectOneLine(error(reading: "bad-truncated.png"), kind: .truncated, naming: "bad-truncated.png", saying: "truncated")
    }

    @Test func textFileNamedPNG() {
        expectOneLine(error(reading: "bad-text.png"), kind: .unrecognized, naming: "bad-text.png", saying: "text file")
    }

    @Test func headerClaims100000Square() {
        let e = error(reading: "bad-huge-header.png")
        expectOneLine(e, kind: .tooLarge, naming: "bad-huge-header.png", saying: "100000×100000")
        // The probe still reports the header (inspect shows it), without decoding.
        let info = try? ImageFile.probe(MediaTestSupport.fixtures.appendingPathComponent("bad-huge-header.png"))
        #expect(info?.width == 100_000 && info?.height == 100_000)
    }

    @Test func truncatedJPEG() {
        expectOneLine(error(reading: "bad-truncated.jpg"), kind: .truncated, naming: "bad-truncated.jpg", saying: "truncated")
    }

    @Test func animatedWebP() {
        expectOneLine(error(reading: "bad-animated.webp"), kind: .unsupported, naming: "bad-animated.webp", saying: "animated WebP")
    }

    @Test func cmykJPEG() {
        expectOneLine(error(reading: "bad-cmyk.jpg"), kind: .unsupported, naming: "bad-cmyk.jpg", saying: "CMYK")
    }

    @Test func missingFile() {
        expectOneLine(error(reading: "no-such-file.png"), kind: .notFound, naming: "no-such-file.png", saying: "no such file")
    }

    @Test func directoryGivenAsFile() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("frames.png")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect {
            _ = try ImageFile.read(folder)
        } throws: { e in
            (e as? MediaError)?.kind == .wrongKind && "\(e)".contains("frames.png") && "\(e)".contains("folder")
        }
    }

    /// Root reads anything, so the permission case runs only for ordinary users here (the end-to-end test runs
    /// the binary as `nobody` to cover it under root).
    @Test(.enabled(if: geteuid() != 0)) func unreadableFile() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("secret.png")
        try FileManager.default.copyItem(at: MediaTestSupport.fixtures.appendingPathComponent("rgb8.png"), to: url)
        chmod(url.path, 0)
        #expect {
            _ = try ImageFile.read(url)
        } throws: { e in
            (e as? MediaError)?.kind == .unreadable && "\(e)".contains("permission denied")
        }
    }

    @Test func emptyFile() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("empty.png")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
        #expect(throws: MediaError.self) { try ImageFile.read(url) }
    }

    /// Every prefix of a valid PNG and JPEG either decodes or throws a MediaError: no crash, no trap.
    @Test func everyPrefixFailsCleanly() throws {
        for name in ["rgb8-interlaced.png", "palette8-trns.png", "photo.jpg", "photo-lossy.webp", "photo-lossless-alpha.webp"] {
            let bytes = try [UInt8](Data(contentsOf: MediaTestSupport.fixtures.appendingPathComponent(name)))
            var failures = 0
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
                do {
                    _ = try ImageFile.decode(bytes: Array(bytes[..<cut]), path: name)
                } catch is MediaError {
                    failures += 1
                }
            }
            #expect(failures > 0, "\(name): no prefix failed")
        }
    }

    @Test func unwritableDestinations() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = RGBImage(width: 4, height: 4, fill: RGB(1, 2, 3))
        let missingFolder = dir.appendingPathComponent("nope/out.png")
        #expect {
            try PNGWriter.write(image, to: missingFolder)
        } throws: { e in
            (e as? MediaError)?.kind == .unwritable && "\(e)".contains("does not exist")
        }
        // A file where the folder should be.
        let file = dir.appendingPathComponent("file")
        _ = FileManager.default.createFile(atPath: file.path, contents: Data([1]))
        #expect(throws: MediaError.self) { try PNGWriter.write(image, to: file.appendingPathComponent("out.png")) }
    }

    @Test(.enabled(if: geteuid() != 0)) func readOnlyFolder() throws {
        let dir = try MediaTestSupport.makeTemporaryDirectory()
        defer { chmod(dir.path, 0o755); try? FileManager.default.removeItem(at: dir) }
        chmod(dir.path, 0o555)
        #expect {
            try PNGWriter.write(RGBImage(width: 2, height: 2), to: dir.appendingPathComponent("out.png"))
        } throws: { e in
            (e as? MediaError)?.kind == .unwritable && "\(e)".contains("permission denied")
        }
    }
}

@Suite("Limits")
struct LimitTests {
    @Test("A raised limit still refuses what cannot fit in memory")
    func memoryGuard() {
        let limits = ImageLimits(maxWidth: 1 << 30, maxHeight: 1 << 30)
        #expect {
            try ImageFile.decode(bytes: Array((try? Data(contentsOf: MediaTestSupport.fixtures
                .appendingPathComponent("bad-huge-header.png"))) ?? Data()), path: "huge.png", limits: limits)
        } throws: { e in
            (e as? MediaError)?.kind == .tooLarge && "\(e)".contains("GiB")
        }
    }
}
