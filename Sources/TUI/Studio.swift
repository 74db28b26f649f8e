#if canImport(Glibc)
import Glibc
#endif
import Dancers
import Engine
import Foundation
import Imaging
import Media
import Preview

/// How the studio starts.
public struct StudioOptions: Sendable {
    /// The project file.
    public var projectURL: URL
    /// Theme name or path (`--theme`, else `ZOETROPE_THEME`, else the saved setting, else dark).
    public var theme: String?
    /// The shipped `themes/` folder.
    public var shippedThemes: URL
    /// Force a renderer instead of the probe's choice (`ZOETROPE_RENDERER`).
    public var renderer: Renderer?
    /// Mouse reporting.
    public var mouse = true
    /// Model checkpoint instead of the project's.
    public var model: String?
    /// Appends JSON lines about what is shown (first preview time, pictures) to this file: for tests and benchmarks.
    public var tracePath: String?
    /// Writes the preview picture as shown (PNG) and where it was placed (JSON) into this folder: for pixel tests.
    public var dumpFolder: String?

    public init(projectURL: URL, shippedThemes: URL) {
        self.projectURL = projectURL
        self.shippedThemes = shippedThemes
    }
}

/// The studio: the main loop over the terminal, the engine session, autosave and exports.
///
/// Only this thread touches the terminal. The engine thread, the export thread and the autosave queue post to a
/// mailbox and wake the loop through a self-pipe; the loop `poll()`s the terminal and the pipe with a timeout set by
/// the nearest timer (edit debounce, playback, status refresh).
public final class Studio {
    /// Edits this close together restart the generation once.
    static let debounce = 0.15

    let options: StudioOptions
    var state: StudioState
    var layout: StudioLayout
    let mailbox: StudioMailbox
    let autosave: AutosaveWriter
    var screen: CursesScreen?
    var capabilities: TerminalCapabilities
    var renderer: Renderer
    var theme: Theme

    // Engine
    var network: AnimatorNetwork?
    var session: GenerationSession?
    var reference: RGBImage?
    var poses: [Pose] = []
    var loadedModelPath: String?
    var currentID = -1
    var lastRequest: GenerationRequest?
    var debounceDeadline: Double?

    // Export
    var pendingExport = false
    var exportCancel: ExportCancelFlag?

    // Screen
    var needsFullRedraw = true
    var needsDraw = true
    var screenEpoch = 0
    var previewVersion = 0
    var referenceVersion = 0
    var drawnPreview: PictureKey?
    var drawnReference: PictureKey?
    var drawnThumbnail: PictureKey?
    var thumbnailCache: (path: String, image: RGBImage?)?
    let sixel = SixelEncoder()
    var nextPlaybackTick: Double?
    var lastStatusDraw = 0.0
    var running = true

    // Tracing
    let started: Double
    var firstPreviewLogged = false
    var trace: FileHandle?

    struct PictureKey: Equatable {
        var version: Int, frame: Int, area: CellRect, epoch: Int
    }

    /// Prepares the studio (nothing is drawn yet). Fails with one line when the project cannot be read or the
    /// terminal is not one.
    public init(options: StudioOptions) throws {
        started = Studio.now()
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw StudioError("the studio needs a terminal (standard input and output are not one); for scripts use `zoetrope render \(options.projectURL.path)`")
        }
        self.options = options
        let document: ProjectDocument
        do { document = try ProjectDocument.load(from: options.projectURL) } catch { throw StudioError(error.description) }
        var state = StudioState(document: document, projectName: options.projectURL.lastPathComponent,
                                limits: StudioLimits(poseCount: document.frames ?? 1, frameWindow: 16))
        state.projectFolder = options.projectURL.deletingLastPathComponent().standardizedFileURL.path
        self.state = state
        layout = StudioLayout(rows: 24, columns: 80)
        mailbox = try StudioMailbox()
        let box = mailbox
        autosave = AutosaveWriter(url: options.projectURL) { box.post(.saveFailed($0)) }
        let env = ProcessInfo.processInfo.environment
        capabilities = TerminalProbe(input: STDIN_FILENO, output: STDOUT_FILENO, environment: env).run()
        renderer = options.renderer ?? capabilities.renderer
        let folders = Theme.searchFolders(environment: env, shipped: options.shippedThemes)
        let themeName = options.theme ?? env["ZOETROPE_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? StudioSettings.load(environment: env)["theme"] ?? "dark"
        let resolved = Theme.resolve(themeName, folders: folders)
        theme = resolved.theme
        self.state.themeName = resolved.theme.name
        self.state.rendererName = renderer.rawValue
        if let error = resolved.error { self.state.post(.error, "theme: \(error.description); using dark") }
        if let path = options.tracePath { trace = Studio.openAppend(path) }
    }

    /// Runs until the user quits or a signal asks to; returns the exit status.
    public func run() -> Int32 {
        TerminalGuard.install(wake: mailbox.writeDescriptor)
        let screen = CursesScreen(theme: theme, mouse: options.mouse)
        self.screen = screen
        layout = StudioLayout(rows: screen.rows, columns: screen.columns)
        recoverLock()
        draw()
        loadInputs()
        requestGeneration(immediately: true)
        needsDraw = true
        while running {
            waitForInput()
            if TerminalGuard.quitSignal != 0 {
                state.post(.info, "signal \(TerminalGuard.quitSignal): quitting")
                break
            }
            let now = Studio.now()
            for key in screen.readKeys() {
                handle(key: key)
                if !running { break }
            }
            for mail in mailbox.drain() { handle(mail: mail, now: Studio.now()) }
            if let deadline = debounceDeadline, now >= deadline {
                debounceDeadline = nil
                submit()
            }
            if let tick = nextPlaybackTick, now >= tick {
                state.tickPlayback()
                needsDraw = true
                nextPlaybackTick = state.isPlaying ? max(tick + 1.0 / Double(state.document.fps), now) : nil
            }
            if state.isPlaying && nextPlaybackTick == nil { nextPlaybackTick = now + 1.0 / Double(state.document.fps) }
            if state.phase == .running && now - lastStatusDraw > 0.25 { needsDraw = true }
            if needsDraw || needsFullRedraw { draw() }
        }
        shutDown()
        return TerminalGuard.quitSignal != 0 ? 128 + TerminalGuard.quitSignal : 0
    }

    // MARK: - Loop pieces

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    func waitForInput() {
        let now = Studio.now()
        var timeout = 250.0
        if let d = debounceDeadline { timeout = min(timeout, max(0, (d - now) * 1000)) }
        if let t = nextPlaybackTick { timeout = min(timeout, max(0, (t - now) * 1000)) }
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: mailbox.readDescriptor, events: Int16(POLLIN), revents: 0)]
        let rc = poll(&fds, 2, Int32(timeout.rounded(.up)))
        if rc > 0, fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            // The terminal went away: save and leave.
            TerminalGuard.quitSignal = SIGHUP
        }
    }

    func handle(key: StudioKey) {
        let before = state.document
        let overlayBefore = state.overlay == nil
        let effects = state.handle(key, layout: layout)
        needsDraw = true
        // An overlay opening or closing changes cells ncurses believes blank (pictures): repaint every cell.
        if overlayBefore != (state.overlay == nil) { needsFullRedraw = true }
        if key == .resize, let screen {
            layout = StudioLayout(rows: screen.rows, columns: screen.columns)
            needsFullRedraw = true
        }
        for effect in effects { apply(effect, before: before) }
        if state.isPlaying == false { nextPlaybackTick = nil }
    }

    func apply(_ effect: StudioEffect, before: ProjectDocument) {
        switch effect {
        case .documentChanged:
            autosave.save(state.document)
            if Studio.generationKey(before) != Studio.generationKey(state.document) { requestGeneration(immediately: false) }
        case .inputsChanged:
            loadInputs()
            referenceVersion += 1
            needsFullRedraw = true
        case .regenerate:
            lastRequest = nil
            requestGeneration(immediately: true)
        case .startExport: startExport()
        case .cancelExport: exportCancel?.cancel()
        case .theme(let name): switchTheme(name)
        case .remember(let path, let purpose): RecentFiles.add(path, purpose: purpose)
        case .openPicker(let purpose):
            let current = purpose == .reference ? state.document.reference : state.document.poses
            let resolved = ProjectDocument.resolve(current, relativeTo: options.projectURL)
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDir)
            let folder = exists && isDir.boolValue && purpose == .poses
                ? resolved.deletingLastPathComponent().path
                : (exists ? resolved.deletingLastPathComponent().path : options.projectURL.deletingLastPathComponent().path)
            state.overlay = .picker(FilePicker(purpose: purpose, directory: folder, recent: RecentFiles.load(purpose: purpose)))
        case .redrawAll: needsFullRedraw = true
        case .quit: running = false
        }
    }

    /// The document without the settings that do not change the frames (fps, export settings).
    static func generationKey(_ d: ProjectDocument) -> ProjectDocument {
        var k = d
        k.fps = 1
        k.output = ProjectDocument.OutputSettings()
        return k
    }

    // MARK: - Inputs and generation

    /// Loads the model (when its path changed), the reference and the poses; problems go to the messages pane.
    func loadInputs() {
        let document = state.document
        let url = options.projectURL
        do {
            let modelURL = try ProjectLoader.modelURL(document: document, projectURL: url, override: options.model)
            if loadedModelPath != modelURL.path || network == nil {
                session?.shutDown()
                session = nil
                network = nil
                let loaded = try ProjectLoader.loadModel(modelURL)
                network = loaded
                loadedModelPath = modelURL.path
                let box = mailbox
                session = GenerationSession(network: loaded) { box.post(.engine($0)) }
                let c = loaded.config
                state.post(.info, "model \(modelURL.lastPathComponent): \(c.imageSize)×\(c.imageSize), window \(c.frameWindow) frames")
            }
        } catch {
            state.post(.error, error.description)
            state.phase = .idle
        }
        let size = network?.config.imageSize ?? 64
        do {
            reference = try ProjectLoader.loadReference(document: document, projectURL: url, size: size)
        } catch {
            reference = nil
            state.post(.error, error.description)
        }
        do {
            poses = try ProjectLoader.loadPoses(document: document, projectURL: url)
        } catch {
            poses = []
            state.post(.error, error.description)
        }
        state.limits = StudioLimits(poseCount: max(1, poses.count), frameWindow: network?.config.frameWindow ?? 16)
        state.clampSelections()
        referenceVersion += 1
        lastRequest = nil
    }

    /// Cancels the running generation and starts the new one now or after the debounce.
    func requestGeneration(immediately: Bool) {
        session?.cancel()
        currentID = -1
        if immediately {
            debounceDeadline = nil
            submit()
        } else {
            state.phase = .debouncing
            debounceDeadline = Studio.now() + Studio.debounce
        }
    }

    func submit() {
        needsDraw = true
        guard let network, let session, let reference, !poses.isEmpty else {
            state.phase = .idle
            return
        }
        let request: GenerationRequest
        do {
            request = try ProjectLoader.request(document: state.document, projectURL: options.projectURL, reference: reference,
                                                poses: poses, config: network.config)
        } catch {
            state.post(.error, error.description)
            state.phase = .idle
            return
        }
        if request == lastRequest, state.frames != nil {
            state.phase = .finished
            return
        }
        lastRequest = request
        Studio.deprioritizeWorkers()
        currentID = session.submit(request)
        state.generationStarted(steps: request.sampler.steps, at: Studio.now())
        needsDraw = true
    }

    func handle(mail: StudioMail, now: Double) {
        needsDraw = true
        switch mail {
        case .engine(let event):
            guard event.id == currentID else { return }
            switch event {
            case .started(_, let steps, let warnings):
                state.generationStarted(steps: steps, at: now)
                for w in warnings { state.post(.warning, w) }
            case .step(_, let index, let count, let previews):
                if index == 0 { Studio.deprioritizeWorkers() }
                state.generationStepped(index: index, count: count, previews: previews, at: now)
                previewVersion += 1
            case .finished(_, let frames):
                state.generationFinished(frames: frames, at: now)
                previewVersion += 1
                if pendingExport { pendingExport = false; startExport() }
            case .cancelled:
                break
            case .failed(_, let message):
                state.generationFailed(message)
            }
        case .exportProgress(let done, let total):
            state.export?.done = done
            state.export?.total = total
            state.export?.waitingForFrames = false
        case .exportDone(let report, let verified):
            let name = report.destination.lastPathComponent
            if verified == report.frameCount {
                state.post(.ok, "exported \(name): \(verified) frames, \(report.width)×\(report.height), \(report.codec); read back: \(verified) frames")
            } else {
                state.post(.error, "export \(name): wrote \(report.frameCount) frames but the file holds \(verified); export again")
            }
            for note in report.notes { state.post(.info, note) }
            state.export = nil
            exportCancel = nil
            traceLine(["event": "export", "path": report.destination.path, "frames": verified])
        case .exportFailed(let message):
            state.post(.error, message)
            state.export = nil
            exportCancel = nil
        case .saveFailed(let message):
            state.post(.error, message)
        }
    }

    // MARK: - Export

    func startExport() {
        let document = state.document
        let destination = ProjectDocument.resolve(document.output.path, relativeTo: options.projectURL)
        let shown = destination.path
        guard let frames = state.frames else {
            pendingExport = true
            state.export = StudioState.ExportProgress(path: shown)
            state.post(.info, "export to \(shown) starts when the generation finishes")
            if state.phase == .idle { state.post(.warning, "nothing is generating: fix the inputs (see above) first"); pendingExport = false; state.export = nil }
            return
        }
        guard let format = ClipFormat(rawValue: document.output.format) ?? ClipFormat.inferred(from: destination) else {
            state.post(.error, "export \(shown): unknown kind (use .mp4, .gif or a folder name)")
            return
        }
        var clipOptions = ClipOptions(format: format)
        clipOptions.fps = document.fps
        clipOptions.upscale = document.output.upscale
        clipOptions.filter = ResampleFilter(rawValue: document.output.filter) ?? .nearest
        clipOptions.overwrite = true
        let options = clipOptions
        guard let reference else { state.post(.error, "export: no reference image loaded"); return }
        let panels = ProjectLoader.exportPanels(layout: document.output.layout, frames: frames, poses: poses, reference: reference)
        let cancel = ExportCancelFlag()
        exportCancel = cancel
        state.export = StudioState.ExportProgress(done: 0, total: frames.count, waitingForFrames: false, path: shown)
        state.post(.info, "exporting \(frames.count) frames to \(shown)")
        let box = mailbox
        let count = frames.count
        let thread = Thread {
            do {
                let report = try ClipExporter.export(frameCount: count, to: destination, options: options, progress: { done, total in
                    box.post(.exportProgress(done: done, total: total))
                    return !cancel.isCancelled
                }, panels: panels)
                let verified = try ClipVerifier.frameCount(of: destination, format: format)
                box.post(.exportDone(report, verifiedFrames: verified))
            } catch {
                box.post(.exportFailed("export \(shown): \(error)"))
            }
        }
        thread.name = "zoetrope.export"
        thread.start()
    }

    // MARK: - Theme

    func switchTheme(_ name: String) {
        let env = ProcessInfo.processInfo.environment
        let resolved = Theme.resolve(name, folders: Theme.searchFolders(environment: env, shipped: options.shippedThemes))
        if let error = resolved.error {
            state.post(.error, "theme: \(error.description)")
            return
        }
        theme = resolved.theme
        state.themeName = theme.name
        screen?.apply(theme: theme)
        StudioSettings.save(["theme": name], environment: env)
        state.post(.info, "theme \(theme.name) (saved as the default)")
        needsFullRedraw = true
    }

    // MARK: - Recovery

    var lockURL: URL {
        let p = options.projectURL
        return p.deletingLastPathComponent().appendingPathComponent("." + p.lastPathComponent + ".studio-lock")
    }

    /// Notes an earlier session that did not close (crash, kill) and claims the project for this one.
    func recoverLock() {
        if let text = try? String(contentsOf: lockURL, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            if pid != getpid() && kill(pid, 0) == 0 {
                state.post(.warning, "another studio (pid \(pid)) has this project open: both save to the same file")
            } else {
                state.post(.warning, "recovered: the last session (pid \(pid)) ended without closing; the project holds every edit it saved")
            }
        }
        try? Data("\(getpid())\n".utf8).write(to: lockURL)
    }

    // MARK: - Drawing

    func draw() {
        guard let screen else { return }
        let now = Studio.now()
        lastStatusDraw = now
        if needsFullRedraw {
            screen.invalidate()
            screenEpoch += 1
            needsFullRedraw = false
        }
        needsDraw = false
        screen.erase()
        var surface = screen
        StudioView.draw(state, layout: layout, on: &surface)
        var writes: [UInt8] = []
        if !layout.isTooSmall {
            let overlay = StudioView.overlayRect(state, layout: layout)
            if let frame = state.shownFrame {
                writes += picture(frame, in: layout.previewPicture, key: PictureKey(version: previewVersion, frame: state.playhead, area: layout.previewPicture, epoch: screenEpoch),
                                  drawn: &drawnPreview, overlay: overlay, surface: &surface, dump: true)
            }
            if let reference {
                writes += picture(reference, in: layout.referencePicture, key: PictureKey(version: referenceVersion, frame: 0, area: layout.referencePicture, epoch: screenEpoch),
                                  drawn: &drawnReference, overlay: overlay, surface: &surface, dump: false)
            }
            if case .picker(let picker) = state.overlay, let entry = picker.selected, picker.purpose == .reference,
               entry.kind == .file || entry.kind == .recent {
                if thumbnailCache?.path != entry.path {
                    thumbnailCache = (entry.path, (try? ImageFile.probe(URL(fileURLWithPath: entry.path))).flatMap { info in
                        info.width * info.height <= 16_000_000 ? try? ImageFile.read(URL(fileURLWithPath: entry.path)) : nil
                    })
                }
                if let image = thumbnailCache?.image {
                    let area = StudioView.pickerThumbnail(layout)
                    let key = PictureKey(version: entry.path.hashValue, frame: 0, area: area, epoch: screenEpoch)
                    writes += picture(image, in: area, key: key, drawn: &drawnThumbnail, overlay: nil, surface: &surface, dump: false)
                }
            } else {
                drawnThumbnail = nil
            }
        }
        screen.present()
        if !writes.isEmpty { _ = Studio.writeAll(writes) }
    }

    /// The bytes for one picture, or none when it is already on the screen; ASCII pictures are drawn as text.
    func picture(_ image: RGBImage, in area: CellRect, key: PictureKey, drawn: inout PictureKey?, overlay: CellRect?,
                 surface: inout CursesScreen, dump: Bool) -> [UInt8] {
        guard let placement = PictureWriter.place(image, in: area, renderer: renderer, cellWidth: capabilities.cellWidth,
                                                  cellHeight: capabilities.cellHeight) else { return [] }
        if let overlay, overlay.intersects(placement.rect) {
            drawn = nil
            return []
        }
        if renderer == .ascii {
            for (i, line) in PictureWriter.asciiLines(placement).enumerated() {
                surface.put(line, row: placement.rect.row + i, column: placement.rect.column, style: .normal)
            }
            if dump && drawn != key { shown(placement, image: image) }
            drawn = key
            return []
        }
        if drawn == key { return [] }
        drawn = key
        if dump { shown(placement, image: image) }
        return PictureWriter.bytes(placement, renderer: renderer, encoder: sixel) ?? []
    }

    /// Records a preview picture put on the screen: the first-preview time, and the dump for pixel tests.
    func shown(_ placement: PicturePlacement, image: RGBImage) {
        if !firstPreviewLogged {
            firstPreviewLogged = true
            let ms = (Studio.now() - started) * 1000
            state.post(.info, String(format: "first preview after %.0f ms", ms))
            traceLine(["event": "first_preview", "ms": Int(ms.rounded())])
        }
        traceLine(["event": "picture", "frame": state.playhead, "step": state.step, "steps": state.stepCount,
                   "finished": state.frames != nil])
        guard let folder = options.dumpFolder else { return }
        let base = URL(fileURLWithPath: folder)
        try? PNGWriter.write(placement.image, to: base.appendingPathComponent("shown.png"), overwrite: true)
        let info: [String: Any] = [
            "row": placement.rect.row, "column": placement.rect.column, "rows": placement.rect.height, "columns": placement.rect.width,
            "width": placement.image.width, "height": placement.image.height, "scale": placement.scale,
            "cellWidth": capabilities.cellWidth, "cellHeight": capabilities.cellHeight, "renderer": renderer.rawValue,
            "frame": state.playhead, "step": state.step, "steps": state.stepCount, "finished": state.frames != nil,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys]) {
            try? data.write(to: base.appendingPathComponent("shown.json"), options: .atomic)
        }
    }

    func traceLine(_ object: [String: Any]) {
        guard let trace else { return }
        var o = object
        o["t"] = Int(((Studio.now() - started) * 1000).rounded())
        if let data = try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]) {
            trace.write(data + Data("\n".utf8))
        }
    }

    static func openAppend(_ path: String) -> FileHandle? {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        h.seekToEndOfFile()
        return h
    }

    static func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return false } }
            offset += n
        }
        return true
    }

    /// Gives every thread but the main one a lower scheduling priority (nice 10): the engine's thread, OpenBLAS's
    /// pool and the dispatch workers of its parallel loops. On a machine whose cores the engine saturates, the loop
    /// then gets the CPU as soon as a key arrives. Threads created later inherit the value from their creator;
    /// the scan runs at every submit and first step to catch pools created lazily.
    static func deprioritizeWorkers() {
        let main = getpid()
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return }
        for name in tasks {
            guard let tid = Int32(name), tid != main else { continue }
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
            if errno == 0 && current < 10 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), 10) }
        }
    }

    // MARK: - Tear-down

    func shutDown() {
        exportCancel?.cancel()
        session?.cancel()
        autosave.save(state.document)
        autosave.flush()
        screen?.close()
        screen = nil
        TerminalGuard.restoreMode()
        // Cursor shown and mouse reporting off, whatever the terminfo entry's endwin sequence left.
        _ = Studio.writeAll(Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h".utf8))
        session?.shutDown()
        try? FileManager.default.removeItem(at: lockURL)
        trace?.closeFile()
    }
}

/// Set from the main thread, read by the export thread.
final class ExportCancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}
