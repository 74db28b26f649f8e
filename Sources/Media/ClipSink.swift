import Imaging

/// One output format behind `ClipExporter`: receives finished frames (already upscaled and laid out, all the same
/// size) and writes them into the exporter's temporary file or folder.
protocol ClipSink: AnyObject {
    /// Takes frame number `index` (0-based).
    func append(_ frame: RGBImage, index: Int) throws
    /// Writes whatever is still buffered and closes the file.
    func finish(progress: ((Int) -> Void)?) throws
    /// Codec name for the report.
    var codecName: String { get }
    /// Stored size (may be padded).
    var storedSize: (width: Int, height: Int) { get }
    /// Notes for the report.
    var notes: [String] { get }
}
