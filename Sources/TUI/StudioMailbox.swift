#if canImport(Glibc)
import Glibc
#endif
import Engine
import Foundation
import Media

/// What background threads tell the main loop.
enum StudioMail: Sendable {
    case engine(GenerationEvent)
    case exportProgress(done: Int, total: Int)
    case exportDone(ClipReport, verifiedFrames: Int)
    case exportFailed(String)
    case saveFailed(String)
}

/// The mailbox between the engine / export / autosave threads and the main loop: a locked queue plus a self-pipe
/// whose byte wakes the loop's `poll()`. Step events of one generation are coalesced (only the newest waiting one is
/// kept), so a slow screen never falls behind the engine.
final class StudioMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [StudioMail] = []
    /// Read end (polled by the loop) and write end of the self-pipe.
    let readDescriptor: Int32, writeDescriptor: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw StudioError("cannot create the wake-up pipe (\(String(cString: strerror(errno))))") }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    deinit { close(readDescriptor); close(writeDescriptor) }

    /// Posts from any thread and wakes the loop.
    func post(_ mail: StudioMail) {
        lock.lock()
        if case .engine(.step(let id, _, _, _)) = mail, let last = queue.lastIndex(where: {
            if case .engine(.step(let other, _, _, _)) = $0 { return other == id } else { return false }
        }), last == queue.count - 1 {
            queue[last] = mail
        } else {
            queue.append(mail)
        }
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Everything posted so far, in order (and empties the pipe).
    func drain() -> [StudioMail] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readDescriptor, &buffer, buffer.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let mail = queue
        queue.removeAll(keepingCapacity: true)
        return mail
    }
}

/// A problem that stops the studio from starting: one line.
public struct StudioError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Saves the project on a background queue: the newest document wins, each save is atomic (temporary file, fsync,
/// rename), and the main loop never waits on the disk.
final class AutosaveWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: ProjectDocument?
    private var isScheduled = false
    private let queue = DispatchQueue(label: "zoetrope.autosave")
    private let url: URL
    private let onError: @Sendable (String) -> Void

    init(url: URL, onError: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.onError = onError
    }

    /// Queues `document` for saving.
    func save(_ document: ProjectDocument) {
        lock.lock()
        pending = document
        let schedule = !isScheduled
        isScheduled = true
        lock.unlock()
        if schedule { queue.async { self.flushPending() } }
    }

    private func flushPending() {
        while true {
            lock.lock()
            guard let document = pending else { isScheduled = false; lock.unlock(); return }
            pending = nil
            lock.unlock()
            do { try document.save(to: url) } catch { onError("autosave failed: \(error.description)") }
        }
    }

    /// Waits until everything queued is on disk.
    func flush() {
        queue.sync {}
        lock.lock()
        let left = pending
        pending = nil
        lock.unlock()
        if let left { try? left.save(to: url) }
    }
}
