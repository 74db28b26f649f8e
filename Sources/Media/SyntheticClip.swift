import Foundation
import Imaging

/// A deterministic test clip that looks like footage rather than noise: a slowly drifting colour gradient, a soft
/// figure (head and body ellipses) walking across, and a swinging anti-aliased bar. Used by `zoetrope bench export`
/// and the Media tests (MP4 PSNR, GIF, PNG sequence).
package enum SyntheticClip {
    /// `frameCount` frames of `width×height`.
    package static func make(frameCount: Int = 48, width: Int = 256, height: Int = 256) -> [RGBImage] {
        (0..<frameCount).map { frame(index: $0, of: frameCount, width: width, height: height) }
    }

    /// Frame `index` of a clip of `count` frames.
    package static func frame(index: Int, of count: Int, width: Int, height: Int) -> RGBImage {
        let t = Double(index) / Double(max(1, count))
        var image = RGBImage(width: width, height: height)
        let w = Double(width), h = Double(height)
        // Figure centre moves left to right and bobs.
        let cx = w * (0.25 + 0.5 * t), cy = h * (0.55 + 0.03 * sin(4 * .pi * t))
        let angle = 0.8 * sin(2 * .pi * t)
        func smoothstep(_ e0: Double, _ e1: Double, _ x: Double) -> Double {
            let u = max(0, min(1, (x - e0) / (e1 - e0)))
            return u * u * (3 - 2 * u)
        }
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    let u = Double(x) / w, v = Double(y) / h
                    // Background: smooth gradient drifting with t.
                    var r = 0.35 + 0.25 * sin(2 * .pi * (u + 0.3 * t)) + 0.2 * v
                    var g = 0.45 + 0.2 * cos(2 * .pi * (v - 0.2 * t))
                    var b = 0.55 + 0.25 * sin(2 * .pi * (u * 0.5 + v * 0.5 + t))
                    // Body (ellipse) and head (circle), 2-pixel soft edges.
                    let dx = Double(x) - cx, dy = Double(y) - cy
                    let body = sqrt(dx * dx / (0.09 * w) / (0.09 * w) + dy * dy / (0.2 * h) / (0.2 * h))
                    let bodyCover = 1 - smoothstep(1 - 2 / (0.09 * w), 1, body)
                    let hx = dx, hy = Double(y) - (cy - 0.27 * h)
                    let head = sqrt(hx * hx + hy * hy)
                    let headCover = 1 - smoothstep(0.07 * w - 1, 0.07 * w + 1, head)
                    r = r * (1 - bodyCover) + 0.75 * bodyCover; g = g * (1 - bodyCover) + 0.2 * bodyCover
                    b = b * (1 - bodyCover) + 0.25 * bodyCover
                    r = r * (1 - headCover) + 0.93 * headCover; g = g * (1 - headCover) + 0.78 * headCover
                    b = b * (1 - headCover) + 0.65 * headCover
                    // Swinging arm: a bar from the shoulder, anti-aliased by distance to the segment.
                    let ax = cx, ay = cy - 0.12 * h, len = 0.22 * h
                    let ex = ax + len * sin(angle), ey = ay + len * cos(angle)
                    let sx = ex - ax, sy = ey - ay
                    let s = max(0, min(1, ((Double(x) - ax) * sx + (Double(y) - ay) * sy) / (sx * sx + sy * sy)))
                    let px = ax + s * sx - Double(x), py = ay + s * sy - Double(y)
                    let arm = 1 - smoothstep(0.02 * w - 1, 0.02 * w + 1, sqrt(px * px + py * py))
                    r = r * (1 - arm) + 0.2 * arm; g = g * (1 - arm) + 0.3 * arm; b = b * (1 - arm) + 0.7 * arm
                    let i = 3 * (y * width + x)
                    p[i] = UInt8(max(0, min(255, (r * 255).rounded())))
                    p[i + 1] = UInt8(max(0, min(255, (g * 255).rounded())))
                    p[i + 2] = UInt8(max(0, min(255, (b * 255).rounded())))
                }
            }
        }
        return image
    }
}
