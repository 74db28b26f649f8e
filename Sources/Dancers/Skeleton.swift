/// Keypoint layouts: OpenPose BODY_25, COCO-18, the 21-point hand and the face subset Dancers fills.
public enum Skeleton {
    /// BODY_25 joint indices (OpenPose `POSE_BODY_25_BODY_PARTS`).
    public enum Body: Int, CaseIterable, Sendable {
        case nose = 0, neck, rShoulder, rElbow, rWrist, lShoulder, lElbow, lWrist, midHip,
             rHip, rKnee, rAnkle, lHip, lKnee, lAnkle, rEye, lEye, rEar, lEar,
             lBigToe, lSmallToe, lHeel, rBigToe, rSmallToe, rHeel
    }

    /// COCO-18 index → BODY_25 index (COCO-18 has no mid-hip and no feet).
    ///
    /// COCO-18: nose, neck, RSho, RElb, RWr, LSho, LElb, LWr, RHip, RKnee, RAnk, LHip, LKnee, LAnk, REye, LEye, REar, LEar.
    public static let coco18ToBody25: [Int] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]

    /// The 17 limbs of the standard OpenPose pose map (controlnet_aux `limbSeq`, 0-based COCO-18 indices).
    public static let coco18Limbs: [(Int, Int)] = [
        (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
        (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
    ]

    /// The 18 colours of the standard OpenPose pose map, one per COCO-18 point and limb (RGB).
    public static let coco18Colors: [(UInt8, UInt8, UInt8)] = [
        (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
        (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
        (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
    ]

    /// BODY_25 pairs drawn by OpenPose (`POSE_BODY_25_PAIRS_RENDER`), including the feet.
    public static let body25Limbs: [(Int, Int)] = [
        (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (10, 11), (8, 12), (12, 13),
        (13, 14), (1, 0), (0, 15), (15, 17), (0, 16), (16, 18), (14, 19), (19, 20), (14, 21), (11, 22), (22, 23), (11, 24),
    ]

    /// The 20 bones of the 21-point hand: wrist 0; thumb 1–4, index 5–8, middle 9–12, ring 13–16, little 17–20.
    public static let handEdges: [(Int, Int)] = [
        (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (0, 9), (9, 10), (10, 11), (11, 12),
        (0, 13), (13, 14), (14, 15), (15, 16), (0, 17), (17, 18), (18, 19), (19, 20),
    ]

    /// OpenPose face-70 slots Dancers fills: jaw ends and chin, brow centres, nose tip, eye corners, mouth, pupils.
    public enum Face {
        /// Jaw start (person's right, near the right ear).
        public static let jawRight = 0
        /// Chin.
        public static let chin = 8
        /// Jaw end (person's left).
        public static let jawLeft = 16
        /// Centre of the right brow.
        public static let browRight = 19
        /// Centre of the left brow.
        public static let browLeft = 24
        /// Nose tip.
        public static let noseTip = 30
        /// Right eye, outer corner.
        public static let eyeRightOuter = 36
        /// Right eye, inner corner.
        public static let eyeRightInner = 39
        /// Left eye, inner corner.
        public static let eyeLeftInner = 42
        /// Left eye, outer corner.
        public static let eyeLeftOuter = 45
        /// Right mouth corner.
        public static let mouthRight = 48
        /// Upper lip centre.
        public static let lipTop = 51
        /// Left mouth corner.
        public static let mouthLeft = 54
        /// Lower lip centre.
        public static let lipBottom = 57
        /// Right pupil.
        public static let pupilRight = 68
        /// Left pupil.
        public static let pupilLeft = 69
    }

    /// Every face slot Dancers fills, ascending.
    public static let faceSubset: [Int] = [0, 8, 16, 19, 24, 30, 36, 39, 42, 45, 48, 51, 54, 57, 68, 69]
}
