import ArgumentParser
import Imaging

/// `--filter nearest|bilinear|lanczos3` (one conformance for every command that takes a resampling filter).
extension ResampleFilter: ExpressibleByArgument {}
