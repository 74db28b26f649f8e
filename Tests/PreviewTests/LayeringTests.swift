import Foundation
import Testing

/// design.md: "Preview imports Imaging only, and never writes to the terminal." Checked on the sources: the only
/// imports are Imaging and the C library (termios/poll for the probe), and no file writes to standard output.
@Suite struct LayeringTests {
    @Test func previewImportsImagingOnly() throws {
        let folder = PreviewTestSupport.repositoryRoot.appendingPathComponent("Sources/Preview")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 5)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                #expect(["import Imaging", "import Glibc", "import Darwin"].contains(String(line)), "\(file): \(line)")
            }
            #expect(!text.contains("STDOUT_FILENO") && !text.contains("print("), "\(file) writes to stdout")
        }
    }
}
