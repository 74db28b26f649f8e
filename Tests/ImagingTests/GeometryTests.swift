import Foundation
import Imaging
import Testing

/// Crop, pad and fit-to-square: properties a wrong implementation would break, and clamping of bad requests.
@Suite struct GeometryTests {
    let image = ImagingTestSupport.noiseImage(width: 17, height: 11, seed: 42)

    @Test func cropTakesExactlyTheRectangle() {
        let c = image.cropped(x: 3, y: 2, width: 8, height: 5)
        #expect(c.width == 8 && c.height == 5)
        var ok = true
        for y in 0..<5 { for x in 0..<8 where c[x, y] != image[x + 3, y + 2] { ok = false } }
        #expect(ok)
        #expect(image.cropped(x: 0, y: 0, width: 17, height: 11) == image)
        #expect(image.cropped(to: PixelRect(x: 3, y: 2, width: 8, height: 5)) == c)
    }

    @Test func cropClampsToTheImage() {
        // Partly outside: the intersection.
        #expect(image.cropped(x: -4, y: -2, width: 10, height: 6) == image.cropped(x: 0, y: 0, width: 6, height: 4))
        #expect(image.cropped(x: 12, y: 8, width: 100, height: 100) == image.cropped(x: 12, y: 8, width: 5, height: 3))
        // Wholly outside, negative or absurd sizes: empty, never a trap.
        #expect(image.cropped(x: 40, y: 0, width: 5, height: 5).isEmpty)
        #expect(image.cropped(x: 2, y: 2, width: -5, height: 3).isEmpty)
        #expect(image.cropped(x: Int.max, y: Int.min, width: Int.max, height: Int.max).isEmpty)
        #expect(image.cropped(x: 1, y: 1, width: Int.max, height: Int.max) == image.cropped(x: 1, y: 1, width: 16, height: 10))
        #expect(PixelRect(x: -5, y: 20, width: 3, height: 1).clamped(width: 17, height: 11).isEmpty)
    }

    @Test func padSurroundsWithFill() {
        let fill = RGB(1, 2, 3)
        let p = image.padded(top: 2, left: 3, bottom: 4, right: 5, fill: fill)
        #expect(p.width == 17 + 8 && p.height == 11 + 6)
        #expect(p.cropped(x: 3, y: 2, width: 17, height: 11) == image)
        var border = true
        for y in 0..<p.height {
            for x in 0..<p.width where x < 3 || x >= 20 || y < 2 || y >= 13 { border = border && p[x, y] == fill }
        }
        #expect(border)
        // Negative borders count as 0.
        #expect(image.padded(top: -1, left: -7, bottom: 0, right: 0) == image)
        #expect(image.padded(top: -1, left: 2, bottom: 0, right: 0, fill: fill).width == 19)
        // Padding an empty image gives just the fill.
        #expect(RGBImage(width: 0, height: 0).padded(top: 1, left: 1, bottom: 1, right: 1, fill: fill)
            == RGBImage(width: 2, height: 2, fill: fill))
    }

    @Test func letterboxKeepsTheWholePictureCentred() {
        let fill = RGB(9, 9, 9)
        let wide = RGBImage(width: 40, height: 10, fill: RGB(200, 100, 50))
        let square = wide.fittedToSquare(side: 20, mode: .letterbox, fill: fill, filter: .bilinear)
        #expect(square.width == 20 && square.height == 20)
        // 40×10 → 20×5, padded round(15 / 2) = 8 rows above (half to even) and 7 below.
        for y in 0..<20 {
            let expected = (8..<13).contains(y) ? RGB(200, 100, 50) : fill
            #expect(square[10, y] == expected, "row \(y)")
        }
        let tall = RGBImage(width: 10, height: 40, fill: RGB(200, 100, 50)).fittedToSquare(side: 20, fill: fill)
        #expect(tall[0, 10] == fill && tall[8, 10] == RGB(200, 100, 50) && tall[19, 10] == fill)
    }

    @Test func centerCropKeepsTheMiddle() {
        // Left third red, middle third green, right third blue; the centred square of a 30×10 image is all green.
        var image = RGBImage(width: 30, height: 10)
        for y in 0..<10 {
            for x in 0..<30 { image[x, y] = x < 10 ? RGB(255, 0, 0) : (x < 20 ? RGB(0, 255, 0) : RGB(0, 0, 255)) }
        }
        let square = image.fittedToSquare(side: 10, mode: .centerCrop, filter: .nearest)
        #expect(square == RGBImage(width: 10, height: 10, fill: RGB(0, 255, 0)))
        let big = image.fittedToSquare(side: 25, mode: .centerCrop, filter: .lanczos3)
        #expect(big.width == 25 && big.height == 25 && big[12, 12] == RGB(0, 255, 0))
    }

    @Test func fitDegenerateInputsDoNotTrap() {
        for mode in SquareFitMode.allCases {
            #expect(image.fittedToSquare(side: 0, mode: mode).isEmpty)
            #expect(image.fittedToSquare(side: -4, mode: mode).isEmpty)
            let fromEmpty = RGBImage(width: 0, height: 7).fittedToSquare(side: 3, mode: mode, fill: RGB(5, 5, 5))
            #expect(fromEmpty.width == 3 && fromEmpty.height == 3)
            // 1000:1 aspect: the letterboxed picture rounds to 0 rows, leaving only the fill.
            let line = RGBImage(width: 1000, height: 1, fill: RGB(255, 255, 255))
            let fitted = line.fittedToSquare(side: 4, mode: mode, fill: RGB(5, 5, 5))
            #expect(fitted.width == 4 && fitted.height == 4)
        }
        #expect(RGBImage(width: 1000, height: 1).fittedToSquare(side: 4, fill: RGB(5, 5, 5))
            == RGBImage(width: 4, height: 4, fill: RGB(5, 5, 5)))
    }
}
