import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that readers see either the old content or the new, never a mix: a temporary file in the same
/// folder, `fsync`, `rename`, then `fsync` of the folder.
package enum AtomicFile {
    /// Replaces (or creates) `url` with `data`. Throws `MediaFileError` naming the file on any failure; the temporary
    /// file is removed when anything goes wrong.
    package static func write(_ data: some DataProtocol, to url: URL) throws(MediaFileError) {
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MediaFileError(url: url, message: "cannot write into \(folder.path): \(String(cString: strerror(errno)))")
        }
        var ok = false
        defer {
            if !ok { unlink(temp.path) }
        }
        let bytes = Array(data)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buf in Glibc.write(fd, buf.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw MediaFileError(url: url, message: "write failed: \(reason)")
            }
            written += n
        }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw MediaFileError(url: url, message: "fsync failed: \(reason)")
        }
        close(fd)
        if rename(temp.path, url.path) != 0 {
            throw MediaFileError(url: url, message: "cannot replace the file: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dirfd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }
}

/// A file could not be read or written: names the file and says what went wrong, on one line.
public struct MediaFileError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file concerned.
    public var url: URL
    /// What went wrong (and, where possible, what to do).
    public var message: String
    public init(url: URL, message: String) { self.url = url; self.message = message }
    /// `reference.png: not a PNG file (bad signature)`
    public var description: String { "\(url.path): \(message)" }
}
