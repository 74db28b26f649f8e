extension Identity {
    /// Mean half-widths (body heights) of the drawn arm and leg segments, clothes included.
    package static func limbRadii(_ id: Identity) -> (arm: Float, leg: Float) {
        let arm: Float = switch id.topKind {
        case .sweater: 0.031
        case .tshirt: 0.027
        case .tank: 0.0257
        }
        let leg: Float = switch id.bottomKind {
        case .trousers: 0.0455
        case .shorts: 0.041
        case .skirt: 0.0385
        }
        return (arm * id.build, leg * id.build)
    }
}
