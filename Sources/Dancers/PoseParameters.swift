/// The articulation of the procedural figure at one instant: joint angles (radians) and root placement.
///
/// Stored as a flat vector so a choreography can interpolate every value with the same spline.
/// Arm and leg directions are spherical: `abd` raises the limb sideways (0 down, π/2 horizontal, π up),
/// `flex` raises it forward (toward the camera when the dancer faces it).
public struct PoseParameters: Sendable, Equatable {
    /// The values, indexed by the constants below.
    public var values: [Float]

    /// Number of values.
    public static let count = 36
    // Root and spine.
    static let rootX = 0, rootZ = 1, jump = 2, yaw = 3, leanSide = 4, leanForward = 5, hipShift = 6
    // Head.
    static let headTilt = 7, headYaw = 8, headNod = 9
    // Arm block (9 values from armBase(side)): shoulder abd/flex, forearm abd/flex, wrist bend, palm roll,
    // finger curl, index finger out, finger spread.
    static let shAbd = 0, shFlex = 1, foreAbd = 2, foreFlex = 3, wristBend = 4, palmRoll = 5, curl = 6, indexOut = 7, spread = 8
    // Leg block (4 values from legBase(side)): thigh abd/flex, knee bend, foot point.
    static let thAbd = 0, thFlex = 1, knee = 2, footPoint = 3

    static func armBase(_ side: Side) -> Int { side == .right ? 10 : 19 }
    static func legBase(_ side: Side) -> Int { side == .right ? 28 : 32 }

    /// The relaxed standing pose: arms down and a little out, knees soft, hands half open.
    public static let neutral: PoseParameters = {
        var p = PoseParameters(values: Array(repeating: 0, count: count))
        for s in Side.allCases {
            p[arm: s, shAbd] = 0.18; p[arm: s, foreAbd] = 0.12; p[arm: s, foreFlex] = 0.15
            p[arm: s, curl] = 0.35; p[arm: s, spread] = 0.3; p[arm: s, wristBend] = 0.1
            p[leg: s, thAbd] = 0.06; p[leg: s, knee] = 0.06
        }
        return p
    }()

    /// The value at a flat index.
    @inlinable public subscript(_ i: Int) -> Float {
        get { values[i] }
        set { values[i] = newValue }
    }

    /// A value of one arm's block.
    subscript(arm side: Side, _ i: Int) -> Float {
        get { values[PoseParameters.armBase(side) + i] }
        set { values[PoseParameters.armBase(side) + i] = newValue }
    }

    /// A value of one leg's block.
    subscript(leg side: Side, _ i: Int) -> Float {
        get { values[PoseParameters.legBase(side) + i] }
        set { values[PoseParameters.legBase(side) + i] = newValue }
    }
}
