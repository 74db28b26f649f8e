import Imaging
import Preview
import Testing

@Suite struct ImageScalerTests {
    /// Shrinking by a whole factor is the rounded mean of each block (what a box filter must give).
    @Test func integerShrinkIsBlockMean() throws {
        let photo = try PreviewTestSupport.photo("coffee")
        let small = ImageScaler.resize(photo, width: 64, height: 64)
        for y in stride(from: 0, to: 64, by: 7) {
            for x in stride(from: 0, to: 64, by: 5) {
                for c in 0..<3 {
                    var sum = 0
                    for dy in 0..<4 { for dx in 0..<4 { sum += Int(photo.pixels[3 * ((4 * y + dy) * 256 + 4 * x + dx) + c]) } }
                    // Rows are averaged and rounded first, then columns: within one level of the exact block mean.
                    #expect(abs(Int(small.pixels[3 * (y * 64 + x) + c]) - (sum + 8) / 16) <= 1)
                }
            }
        }
    }

    /// A 20000-pixel-wide gradient shrinks to 300 pixels and keeps its values (area average of a ramp).
    @Test func veryWideImage() {
        var wide = RGBImage(width: 20000, height: 3)
        for x in 0..<20000 { for y in 0..<3 { wide[x, y] = RGB(UInt8(x * 256 / 20000), 7, 200) } }
        let small = ImageScaler.resize(wide, width: 300, height: ImageScaler.height(of: wide, atWidth: 300))
        #expect(small.width == 300 && small.height == 1)
        for x in 0..<300 {
            let expected = Double(x) * 256 / 300 + 256.0 / 600 - 0.5
            #expect(abs(Double(small[x, 0].r) - expected) <= 1.0)
            #expect(small[x, 0].g == 7 && small[x, 0].b == 200)
        }
    }
}
