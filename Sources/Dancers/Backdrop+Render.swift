import Foundation

extension Backdrop {
    /// Fills `colour` (interleaved RGB floats) with the wall and floor seen by `camera`, lit by `light`.
    ///
    /// World-anchored, so camera pans and zooms move the background; the floor's tiles recede with
    /// 1/(distance below the horizon) for a cheap sense of perspective.
    func render(camera: Camera, light: Light, width: Int, height: Int, into colour: UnsafeMutablePointer<Float>) {
        let bright = light.ambient + 0.45 * light.diffuse
        for y in 0..<height {
            let wy = camera.unproject(0, Float(y) + 0.5, width: width, height: height).y
            for x in 0..<width {
                let wx = camera.unproject(Float(x) + 0.5, 0, width: width, height: height).x
                var c: Colour
                if wy > horizon * 0.5 {
                    // Wall.
                    switch kind {
                    case .studio:
                        let v = min(1, max(0, (wy - 0.2) / 1.2))
                        c = wall * (0.8 + 0.3 * v)
                    case .stripes:
                        let f = sin((wx * 9 + phase) * 2 * Float.pi * 0.5)
                        c = f > 0 ? wall : wallAccent
                    case .tiles:
                        c = wall
                    case .blobs:
                        let f = sin(wx * 5 + phase) * sin(wy * 6 + phase * 0.7)
                        c = wall + (wallAccent - wall) * (0.5 + 0.5 * f)
                    case .gradient:
                        c = wall + (wallAccent - wall) * min(1, max(0, wy - 0.2))
                    }
                } else {
                    // Floor: distance term q = 1 / (horizon·0.5 − y + 0.08).
                    let q = 1 / (horizon * 0.5 - wy + 0.08)
                    if kind == .tiles || kind == .studio {
                        let u = wx * q * 0.6, v = q * 0.6 + phase
                        let chk = (Int((u + 1000).rounded(.down)) + Int((v + 1000).rounded(.down))) & 1
                        c = chk == 0 ? floor : floorAccent
                    } else {
                        c = floor * (0.75 + 0.25 * min(1, 2 / q))
                    }
                }
                let k = 3 * (y * width + x)
                colour[k] = c.x * light.tint.x * bright
                colour[k + 1] = c.y * light.tint.y * bright
                colour[k + 2] = c.z * light.tint.z * bright
            }
        }
    }
}
