import Foundation

/// Fréchet distance between Gaussian fits of two feature sets:
/// `‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2 tr √(√C₁ C₂ √C₁)` (the FID formula, computed with symmetric eigendecompositions).
///
/// Matches: the FID formula of Heusel et al. 2017 as `pytorch-fid` computes it with `scipy.linalg.sqrtm` (see
/// `tools/reference/frechet_fixture.py`); √(√C₁ C₂ √C₁) has the trace of √(C₁C₂) and stays symmetric.
public enum FrechetDistance {
    /// The distance between feature sets `a` and `b` (rows are samples); nil with fewer than two rows or no columns.
    public static func between(_ a: [[Double]], _ b: [[Double]]) -> Double? {
        guard a.count >= 2, b.count >= 2, let d = a.first?.count, d > 0 else { return nil }
        let (m1, c1) = stats(a, d), (m2, c2) = stats(b, d)
        var dist = 0.0
        for i in 0..<d { dist += (m1[i] - m2[i]) * (m1[i] - m2[i]) + c1[i * d + i] + c2[i * d + i] }
        let (w1, v1) = eigen(c1, d)
        // √C₁ = V diag(√λ) Vᵀ
        var s1 = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { var s = 0.0; for k in 0..<d { s += v1[i * d + k] * max(0, w1[k]).squareRoot() * v1[j * d + k] }; s1[i * d + j] = s } }
        let m = multiply(multiply(s1, c2, d), s1, d)
        let (w, _) = eigen(m, d)
        dist -= 2 * w.reduce(0) { $0 + max(0, $1).squareRoot() }
        return max(0, dist)
    }

    /// Mean and unbiased covariance (row-major d×d).
    static func stats(_ x: [[Double]], _ d: Int) -> ([Double], [Double]) {
        let n = Double(x.count)
        var mean = [Double](repeating: 0, count: d)
        for v in x { for i in 0..<d { mean[i] += v[i] / n } }
        var cov = [Double](repeating: 0, count: d * d)
        for v in x { for i in 0..<d { for j in 0..<d { cov[i * d + j] += (v[i] - mean[i]) * (v[j] - mean[j]) / (n - 1) } } }
        return (mean, cov)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let x = a[i * d + k]; if x == 0 { continue }; for j in 0..<d { c[i * d + j] += x * b[k * d + j] } } }
        return c
    }

    /// Cyclic Jacobi eigendecomposition of a symmetric matrix: eigenvalues and eigenvectors (columns of V).
    package static func eigen(_ matrix: [Double], _ d: Int) -> ([Double], [Double]) {
        var a = matrix
        for i in 0..<d { for j in (i + 1)..<max(i + 1, d) { let s = (a[i * d + j] + a[j * d + i]) / 2; a[i * d + j] = s; a[j * d + i] = s } }
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<60 {
            var off = 0.0
            for i in 0..<d { for j in 0..<d where i != j { off += a[i * d + j] * a[i * d + j] } }
            if off < 1e-22 { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) where abs(a[p * d + q]) > 1e-300 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}

