import Foundation
import Imaging

/// The engine's public door: runs generation requests on one dedicated thread and reports `GenerationEvent`s.
///
/// A new request cancels the one running (it stops within one denoising step) and the one waiting; only the latest
/// runs. Events arrive on the engine thread: the handler must be quick and thread-safe (the studio posts them to its
/// mailbox and wakes its loop). Tensors never leave the engine thread; events carry `Sendable` images.
public final class GenerationSession: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: (id: Int, request: GenerationRequest)?
    private var cancelledThrough = 0
    private var lastID = 0
    private var running: Int?
    private var isShutDown = false
    private var thread: Thread?
    /// The generator the engine thread runs (read it only while the session is idle or shut down).
    package let generator: ClipGenerator
    private let onEvent: @Sendable (GenerationEvent) -> Void

    /// A session over `network`. The network is used only by the session's thread from now on.
    public init(network: AnimatorNetwork, onEvent: @escaping @Sendable (GenerationEvent) -> Void) {
        generator = ClipGenerator(network: network)
        self.onEvent = onEvent
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "zoetrope.engine"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    deinit { shutDown() }

    /// Queues a request, cancelling whatever runs or waits. Returns the request's id (events carry it).
    @discardableResult
    public func submit(_ request: GenerationRequest) -> Int {
        condition.lock()
        lastID += 1
        let id = lastID
        let dropped = pending?.id
        cancelledThrough = id - 1
        pending = (id, request)
        condition.signal()
        condition.unlock()
        // The handler runs outside the lock, so it may call back into the session.
        if let dropped { onEvent(.cancelled(id: dropped)) }
        return id
    }

    /// Cancels the running and the waiting request.
    public func cancel() {
        condition.lock()
        let dropped = pending?.id
        pending = nil
        cancelledThrough = lastID
        condition.unlock()
        if let dropped { onEvent(.cancelled(id: dropped)) }
    }

    /// True while a request runs or waits.
    public var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running != nil || pending != nil
    }

    /// Stops the thread (cancelling any work) and waits for it to finish.
    public func shutDown() {
        condition.lock()
        if isShutDown { condition.unlock(); return }
        isShutDown = true
        let dropped = pending?.id
        pending = nil
        cancelledThrough = lastID
        condition.broadcast()
        while running != nil || thread != nil { condition.wait() }
        condition.unlock()
        if let dropped { onEvent(.cancelled(id: dropped)) }
    }

    private func isCancelled(_ id: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return id <= cancelledThrough || isShutDown
    }

    private func loop() {
        while true {
            condition.lock()
            while pending == nil && !isShutDown { condition.wait() }
            if isShutDown {
                thread = nil
                condition.broadcast()
                condition.unlock()
                return
            }
            guard let (id, request) = pending else { condition.unlock(); continue }
            pending = nil
            running = id
            condition.unlock()
            run(id: id, request: request)
            condition.lock()
            running = nil
            condition.broadcast()
            condition.unlock()
        }
    }

    private func run(id: Int, request: GenerationRequest) {
        do {
            try generator.validate(request)
            let s = generator.network.config.imageSize
            onEvent(.started(id: id, steps: request.sampler.steps, warnings: generator.warnings(for: request)))
            let frames = try generator.run(request) { index, count, previews in
                if isCancelled(id) { return false }
                onEvent(.step(id: id, index: index, count: count,
                              previews: ClipGenerator.images(previews, frames: request.frameCount, size: s)))
                return !isCancelled(id)
            }
            if let frames, !isCancelled(id) {
                onEvent(.finished(id: id, frames: frames))
            } else {
                onEvent(.cancelled(id: id))
            }
        } catch let error as GenerationError {
            onEvent(.failed(id: id, message: error.description))
        } catch {
            onEvent(.failed(id: id, message: "\(error)"))
        }
    }
}
