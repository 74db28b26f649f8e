import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output written beside its destination under a hidden temporary name (`<dir>/.<name>.tmp-<pid>`) and renamed
/// into place only when complete, so a failure never leaves a partial file. Refuses an existing destination unless
/// `overwrite` is set. Folders (PNG sequences) work the same way: a temporary folder renamed as a whole.
///
/// Limitations: the existence check and the rename are two steps, so a file created at the destination by another
/// process in between is replaced. Temporaries are registered in `TemporaryOutputs` so a program can remove them on
/// SIGINT/SIGTERM (the CLI does); SIGKILL leaves the hidden temporary behind.
package final class AtomicOutput {
    /// Where the output ends up.
    package let destination: URL
    /// The hidden temporary file or folder being written.
    package let temporary: URL
    /// True when the output is a folder.
    package let isDirectory: Bool
    /// The role named in errors ("clip", "image", "frames folder").
    package let role: String
    private let overwrite: Bool
    private var isCommitted = false

    /// Checks the destination and creates the empty temporary file or folder.
    package init(destination: URL, role: String, overwrite: Bool, isDirectory: Bool) throws {
        self.destination = destination
        self.role = role
        self.overwrite = overwrite
        self.isDirectory = isDirectory
        let shown = destination.displayPath
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        self.temporary = parent.appendingPathComponent(".\(name).tmp-\(getpid())")

        var info = stat()
        if stat(parent.path, &info) != 0 {
            throw MediaError(.unwritable, role: role, path: shown, problem: "folder \(parent.displayPath) does not exist",
                             advice: "create it first")
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            throw MediaError(.unwritable, role: role, path: shown, problem: "\(parent.displayPath) is not a folder")
        }
        if lstat(destination.path, &info) == 0 {
            let existingIsDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            if !overwrite {
                throw MediaError(.outputExists, role: role, path: shown, problem: "already exists",
                                 advice: "pass --force to replace it or choose another name")
            }
            if existingIsDirectory != isDirectory {
                throw MediaError(.outputExists, role: role, path: shown,
                                 problem: existingIsDirectory ? "is an existing folder, cannot replace it with a file"
                                                              : "is an existing file, cannot replace it with a folder",
                                 advice: "remove it or choose another name")
            }
        }
        // A stale temporary from an earlier run with the same pid is ours to remove.
        Self.remove(temporary)
        let created: Int32
        if isDirectory {
            created = mkdir(temporary.path, 0o755)
        } else {
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            created = fd >= 0 ? 0 : -1
            if fd >= 0 { close(fd) }
        }
        if created != 0 {
            throw Self.writeError(errno, role: role, path: shown, folder: parent.displayPath)
        }
        TemporaryOutputs.register(temporary)
    }

    deinit {
        discard()
    }

    /// Writes `bytes` to the temporary file (replacing what it holds) and flushes them to disk.
    package func write(_ bytes: [UInt8]) throws {
        try Self.writeFile(bytes, to: temporary, role: role, shown: destination.displayPath)
    }

    /// Writes `bytes` to `url` (created or truncated), flushed to disk. Errors name `shown`.
    package static func writeFile(_ bytes: [UInt8], to url: URL, role: String, shown: String) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw writeError(errno, role: role, path: shown, folder: url.deletingLastPathComponent().displayPath) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                posixWrite(fd, raw.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw writeError(errno, role: role, path: shown, folder: url.deletingLastPathComponent().displayPath)
            }
            written += n
        }
        if fsync(fd) != 0 && errno != EINVAL {
            throw writeError(errno, role: role, path: shown, folder: url.deletingLastPathComponent().displayPath)
        }
    }

    /// Renames the temporary into place (replacing an existing output only when `overwrite` was given).
    package func commit() throws {
        let shown = destination.displayPath
        var info = stat()
        let exists = lstat(destination.path, &info) == 0
        if exists && !overwrite {
            throw MediaError(.outputExists, role: role, path: shown, problem: "was created by someone else while writing",
                             advice: "pass --force to replace it or choose another name")
        }
        if isDirectory && exists {
            // rename(2) cannot replace a non-empty folder: move the old one aside first, then drop it.
            let aside = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
            Self.remove(aside)
            guard rename(destination.path, aside.path) == 0 else {
                throw Self.writeError(errno, role: role, path: shown, folder: destination.deletingLastPathComponent().displayPath)
            }
            guard rename(temporary.path, destination.path) == 0 else {
                let code = errno
                _ = rename(aside.path, destination.path)
                throw Self.writeError(code, role: role, path: shown, folder: destination.deletingLastPathComponent().displayPath)
            }
            Self.remove(aside)
        } else {
            guard rename(temporary.path, destination.path) == 0 else {
                throw Self.writeError(errno, role: role, path: shown, folder: destination.deletingLastPathComponent().displayPath)
            }
        }
        isCommitted = true
        TemporaryOutputs.unregister(temporary)
    }

    /// Removes the temporary now (also done on deinit when not committed).
    package func discard() {
        if !isCommitted {
            Self.remove(temporary)
            TemporaryOutputs.unregister(temporary)
        }
    }

    /// Removes a file or folder tree, ignoring errors.
    static func remove(_ url: URL) {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return }
        try? FileManager.default.removeItem(at: url)
    }

    /// Maps an errno from creating or writing a file to a message.
    package static func writeError(_ code: Int32, role: String, path: String, folder: String) -> MediaError {
        let where_ = folder.isEmpty ? "." : folder
        switch code {
        case EACCES, EPERM, EROFS:
            return MediaError(.unwritable, role: role, path: path,
                              problem: "cannot write to folder \(where_): \(String(cString: strerror(code)).lowercased())",
                              advice: "choose a writable folder")
        case ENOSPC, EDQUOT:
            return MediaError(.unwritable, role: role, path: path, problem: "disk full while writing", advice: "free some space")
        default:
            return MediaError(.unwritable, role: role, path: path, problem: "cannot write: \(String(cString: strerror(code)))")
        }
    }
}

/// `write(2)`, named apart so members called `write` do not shadow it.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
