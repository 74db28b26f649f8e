/// What the loop reports after every step.
public struct StepEvent: Sendable {
    /// Index of the step just taken within the run's steps (0-based, counted from the start step).
    public var step: Int
    /// Number of steps the run takes.
    public var stepCount: Int
    /// The timestep of this step.
    public var timestep: Double
    /// The x0 prediction (pixel space): the preview.
    public var denoised: [Float]
}
