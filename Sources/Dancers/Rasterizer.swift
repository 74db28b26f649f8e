import Foundation

/// An anti-aliased painter's-algorithm rasteriser over a float RGB buffer, with optional depth and part maps.
///
/// Coverage of every shape is `clamp(0.5 − sdf, 0, 1)` from its signed distance in pixels, evaluated only
/// inside the shape's bounding box. Shapes are drawn far to near; the part and depth maps keep the nearest
/// shape covering at least half of each pixel.
struct Rasterizer {
    let width: Int
    let height: Int

    /// Draws `primitives` (already sorted far to near) over `colour` (interleaved RGB floats, W·H·3).
    func draw(_ primitives: [Primitive], light: Light,
              colour: UnsafeMutablePointer<Float>,
              depth: UnsafeMutablePointer<Float>?, label: UnsafeMutablePointer<UInt8>?) {
        for p in primitives {
            switch p.shape {
            case let .capsule(a, b, ra, rb):
                drawCapsule(a, b, ra, rb, p, light, colour, depth, label)
            case let .ellipse(c, u, ru, rv):
                drawEllipse(c, u, ru, rv, p, light, colour, depth, label)
            case let .polygon(points, rounding, origin, u, halfWidth, span):
                drawPolygon(points, rounding, origin, u, halfWidth, span, p, light, colour, depth, label)
            }
        }
    }

    // MARK: - Bounding boxes

    @inline(__always)
    private func box(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float) -> (Int, Int, Int, Int)? {
        let bx0 = max(0, Int((x0 - 1).rounded(.down))), by0 = max(0, Int((y0 - 1).rounded(.down)))
        let bx1 = min(width - 1, Int((x1 + 1).rounded(.up))), by1 = min(height - 1, Int((y1 + 1).rounded(.up)))
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite, bx0 <= bx1, by0 <= by1 else { return nil }
        return (bx0, by0, bx1, by1)
    }

    // MARK: - Shading and blending

    /// Albedo of a material at pattern coordinates (pixels along and across the surface, and a 0…1 position).
    @inline(__always)
    private func albedo(_ m: Material, _ along: Float, _ across: Float, _ t01: Float) -> Colour {
        switch m.pattern {
        case .plain:
            return m.colour
        case .striped:
            // Stripes across the surface: f = sin(2π·along/period), softened over about a pixel.
            let f = sin(2 * Float.pi * along / m.periodPx)
            let a = min(1, max(0, 0.5 + f * m.periodPx / (2 * Float.pi)))
            return m.colour + (m.accent - m.colour) * a
        case .checked:
            let f = sin(2 * Float.pi * along / m.periodPx) * sin(2 * Float.pi * across / m.periodPx)
            let a = min(1, max(0, 0.5 + f * m.periodPx / (2 * Float.pi)))
            return m.colour + (m.accent - m.colour) * a
        case .dotted:
            let u = along / m.periodPx, v = across / m.periodPx
            let du = (u - u.rounded()) * m.periodPx, dv = (v - v.rounded()) * m.periodPx
            let d = (du * du + dv * dv).squareRoot() - 0.28 * m.periodPx
            let a = min(1, max(0, 0.5 - d))
            return m.colour + (m.accent - m.colour) * a
        case .gradient:
            return m.colour + (m.accent - m.colour) * min(1, max(0, t01))
        }
    }

    /// Blends one pixel: lit albedo = albedo·tint·(ambient + diffuse·max(0, n·l)).
    @inline(__always)
    private func blend(_ i: Int, coverage: Float, albedo c: Colour, ndotl: Float, _ p: Primitive, _ light: Light,
                       _ z: Float, _ colour: UnsafeMutablePointer<Float>,
                       _ depth: UnsafeMutablePointer<Float>?, _ label: UnsafeMutablePointer<UInt8>?) {
        let shade = p.material.isShaded ? light.ambient + light.diffuse * max(0, ndotl) : light.ambient + 0.6 * light.diffuse
        let lit = c * light.tint * shade
        let alpha = coverage * p.material.opacity
        let k = 3 * i
        colour[k] += (lit.x - colour[k]) * alpha
        colour[k + 1] += (lit.y - colour[k + 1]) * alpha
        colour[k + 2] += (lit.z - colour[k + 2]) * alpha
        if coverage >= 0.5, p.label != PartLabel.none {
            label?[i] = p.label
            depth?[i] = z
        }
    }

    // MARK: - Shapes

    private func drawCapsule(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ ra: Float, _ rb: Float, _ p: Primitive,
                             _ light: Light, _ colour: UnsafeMutablePointer<Float>,
                             _ depth: UnsafeMutablePointer<Float>?, _ label: UnsafeMutablePointer<UInt8>?) {
        let r = max(ra, rb)
        guard let (x0, y0, x1, y1) = box(min(a.x, b.x) - r, min(a.y, b.y) - r, max(a.x, b.x) + r, max(a.y, b.y) + r)
        else { return }
        let ba = b - a
        let len2 = max(1e-6, (ba * ba).sum())
        let len = len2.squareRoot()
        let dir = ba / len
        let perpDir = SIMD2<Float>(-dir.y, dir.x)
        let perpLight = perpDir.x * light.direction.x + perpDir.y * light.direction.y
        for y in y0...y1 {
            let py = Float(y) + 0.5
            for x in x0...x1 {
                let px = Float(x) + 0.5
                let wx = px - a.x, wy = py - a.y
                // t = clamp(((p − a)·(b − a)) / |b − a|², 0, 1); r(t) = ra + (rb − ra)·t; d = |p − a − t·(b − a)| − r(t)
                let t = min(1, max(0, (wx * ba.x + wy * ba.y) / len2))
                let rt = ra + (rb - ra) * t
                let qx = wx - t * ba.x, qy = wy - t * ba.y
                let dist = (qx * qx + qy * qy).squareRoot()
                let cov = min(1, max(0, 0.5 - (dist - rt)))
                if cov <= 0 { continue }
                let across = wx * perpDir.x + wy * perpDir.y
                let along = wx * dir.x + wy * dir.y
                let nx = min(1, max(-1, across / max(rt, 0.3)))
                let nz = max(0, 1 - nx * nx).squareRoot()
                let ndotl = nx * perpLight + nz * light.direction.z
                let alb = albedo(p.material, along, across, t)
                blend(y * width + x, coverage: cov, albedo: alb, ndotl: ndotl, p, light,
                      p.depthA + (p.depthB - p.depthA) * t, colour, depth, label)
            }
        }
    }

    private func drawEllipse(_ c: SIMD2<Float>, _ u: SIMD2<Float>, _ ru: Float, _ rv: Float, _ p: Primitive,
                             _ light: Light, _ colour: UnsafeMutablePointer<Float>,
                             _ depth: UnsafeMutablePointer<Float>?, _ label: UnsafeMutablePointer<UInt8>?) {
        let r = max(ru, rv)
        guard ru > 0, rv > 0, let (x0, y0, x1, y1) = box(c.x - r, c.y - r, c.x + r, c.y + r) else { return }
        let v = SIMD2<Float>(-u.y, u.x)
        for y in y0...y1 {
            let py = Float(y) + 0.5
            for x in x0...x1 {
                let px = Float(x) + 0.5
                let wx = px - c.x, wy = py - c.y
                let lu = wx * u.x + wy * u.y, lv = wx * v.x + wy * v.y
                // Approximate distance (Quilez): k0·(k0 − 1)/k1, k0 = |p/r|, k1 = |p/r²|.
                let eu = lu / ru, ev = lv / rv
                let k0 = (eu * eu + ev * ev).squareRoot()
                let k1 = ((eu / ru) * (eu / ru) + (ev / rv) * (ev / rv)).squareRoot()
                let dist = k1 > 1e-6 ? k0 * (k0 - 1) / k1 : -min(ru, rv)
                let cov = min(1, max(0, 0.5 - dist))
                if cov <= 0 { continue }
                let nu = min(1, max(-1, eu)), nv = min(1, max(-1, ev))
                let nz = max(0, 1 - nu * nu - nv * nv).squareRoot()
                let nxs = nu * u.x + nv * v.x, nys = nu * u.y + nv * v.y
                let ndotl = nxs * light.direction.x + nys * light.direction.y + nz * light.direction.z
                let alb = albedo(p.material, lv, lu, 0.5 + 0.5 * ev)
                blend(y * width + x, coverage: cov, albedo: alb, ndotl: ndotl, p, light, p.depthA, colour, depth, label)
            }
        }
    }

    private func drawPolygon(_ pts: [SIMD2<Float>], _ rounding: Float, _ origin: SIMD2<Float>, _ u: SIMD2<Float>,
                             _ halfWidth: Float, _ span: Float, _ p: Primitive, _ light: Light,
                             _ colour: UnsafeMutablePointer<Float>,
                             _ depth: UnsafeMutablePointer<Float>?, _ label: UnsafeMutablePointer<UInt8>?) {
        guard pts.count >= 3 else { return }
        var lo = pts[0], hi = pts[0]
        for q in pts { lo = pointwiseMin(lo, q); hi = pointwiseMax(hi, q) }
        guard let (x0, y0, x1, y1) = box(lo.x - rounding, lo.y - rounding, hi.x + rounding, hi.y + rounding) else { return }
        let down = SIMD2<Float>(-u.y, u.x)
        let n = pts.count
        pts.withUnsafeBufferPointer { v in
            for y in y0...y1 {
                let py = Float(y) + 0.5
                for x in x0...x1 {
                    let px = Float(x) + 0.5
                    // Signed distance to a simple polygon (Quilez): nearest edge distance, sign by crossings.
                    var d2 = Float.greatestFiniteMagnitude
                    var inside = false
                    var j = n - 1
                    for i in 0..<n {
                        let ex = v[j].x - v[i].x, ey = v[j].y - v[i].y
                        let wx = px - v[i].x, wy = py - v[i].y
                        let h = min(1, max(0, (wx * ex + wy * ey) / max(1e-9, ex * ex + ey * ey)))
                        let bx = wx - ex * h, by = wy - ey * h
                        d2 = min(d2, bx * bx + by * by)
                        let c1 = py >= v[i].y, c2 = py < v[j].y, c3 = ex * wy > ey * wx
                        if (c1 && c2 && c3) || (!c1 && !c2 && !c3) { inside.toggle() }
                        j = i
                    }
                    let dist = (inside ? -1 : 1) * d2.squareRoot() - rounding
                    let cov = min(1, max(0, 0.5 - dist))
                    if cov <= 0 { continue }
                    let wx = px - origin.x, wy = py - origin.y
                    let lat = wx * u.x + wy * u.y, along = wx * down.x + wy * down.y
                    let nx = min(1, max(-1, lat / max(halfWidth, 0.5)))
                    let nz = max(0, 1 - nx * nx).squareRoot()
                    let ndotl = nx * (u.x * light.direction.x + u.y * light.direction.y) + nz * light.direction.z
                    let alb = albedo(p.material, along, lat, along / max(span, 1))
                    blend(y * width + x, coverage: cov, albedo: alb, ndotl: ndotl, p, light, p.depthA, colour, depth, label)
                }
            }
        }
    }
}
