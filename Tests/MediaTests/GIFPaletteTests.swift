import Imaging
import Media
import Testing

@Suite("GIF palette and colour mapping")
struct GIFPaletteTests {
    /// A small deterministic generator (PCG-style LCG, top byte).
    struct Bytes {
        var state: UInt64
        mutating func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 56)
        }
    }

    @Test("The cell-candidate search finds the same entry as a full search")
    func mapperIsExact() {
        var random = Bytes(state: 7)
        let palette = (0..<200).map { _ in RGB(UInt8(random.next()), UInt8(random.next()), UInt8(random.next())) }
        var mapper = GIFColorMapper(palette: palette)
        var mismatches = 0
        for _ in 0..<20_000 {
            let r = random.next(), g = random.next(), b = random.next()
            var best = 0, bestDistance = Int.max
            for (i, c) in palette.enumerated() {
                let d = (Int(c.r) - r) * (Int(c.r) - r) + (Int(c.g) - g) * (Int(c.g) - g) + (Int(c.b) - b) * (Int(c.b) - b)
                if d < bestDistance { bestDistance = d; best = i }
            }
            if mapper.index(r, g, b) != best { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("Palettes: exact for ≤ 256 colours, median cut otherwise")
    func paletteKinds() {
        let clip = SyntheticClip.make(frameCount: 4, width: 64, height: 64)
        let cut = GIFPalette.build(frames: clip)
        #expect(!cut.isExact && cut.colors.count == 256)
        var flat = RGBImage(width: 16, height: 16)
        for y in 0..<16 { for x in 0..<16 { flat[x, y] = RGB(UInt8(x * 16), UInt8(y * 16), 7) } }
        let exact = GIFPalette.build(frames: [flat])
        #expect(exact.isExact && exact.colors.count == 256)
    }
}
