import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files with POSIX calls so each failure (missing, folder, permission, too big) gets its own message.
package enum FileBytes {
    /// The bytes of the file at `url`, or a `MediaError` naming it. Files above `maxBytes` are refused unread.
    package static func read(_ url: URL, role: String, maxBytes: Int) throws -> [UInt8] {
        let shown = url.displayPath
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw openError(errno, role: role, path: shown)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw MediaError(.unreadable, role: role, path: shown, problem: "cannot read: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw MediaError(.wrongKind, role: role, path: shown, problem: "is a folder, expected a file",
                             advice: "give the path of one file")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw MediaError(.wrongKind, role: role, path: shown, problem: "is not a regular file")
        }
        let size = Int(info.st_size)
        if size > maxBytes {
            throw MediaError(.tooLarge, role: role, path: shown,
                             problem: "file is \(size / (1 << 20)) MiB, above the \(maxBytes / (1 << 20)) MiB limit")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { buffer in
                posixRead(fd, buffer.baseAddress.map { $0 + filled }, size - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw openError(errno, role: role, path: shown)
            }
            if n == 0 { break }
            filled += n
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Maps an errno from open/read to a message.
    package static func openError(_ code: Int32, role: String, path: String) -> MediaError {
        switch code {
        case ENOENT:
            return MediaError(.notFound, role: role, path: path, problem: "no such file", advice: "check the path")
        case EACCES, EPERM:
            return MediaError(.unreadable, role: role, path: path, problem: "permission denied",
                              advice: "make it readable (chmod +r) or copy it somewhere readable")
        case EISDIR:
            return MediaError(.wrongKind, role: role, path: path, problem: "is a folder, expected a file",
                              advice: "give the path of one file")
        case ENOTDIR:
            return MediaError(.notFound, role: role, path: path, problem: "a parent of this path is not a folder")
        default:
            return MediaError(.unreadable, role: role, path: path, problem: "cannot read: \(String(cString: strerror(code)))")
        }
    }
}

/// `read(2)`, named apart from `FileBytes.read` so the member does not shadow it.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
