/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
///
/// Any values are allowed (negative origins, sizes past the image); operations that take a rectangle intersect it with
/// the image first (`clamped(width:height:)`), so a rectangle is never a reason to trap.
public struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Width in pixels (a negative width counts as 0).
    public var width: Int
    /// Height in pixels (a negative height counts as 0).
    public var height: Int

    /// A rectangle from its top-left corner and size.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// True when the rectangle covers no pixel.
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The part of this rectangle inside a `width × height` image (an empty rectangle at the clamped corner when they do
    /// not overlap). Arithmetic saturates, so extreme values cannot overflow.
    public func clamped(width imageWidth: Int, height imageHeight: Int) -> PixelRect {
        let w = max(imageWidth, 0), h = max(imageHeight, 0)
        let x0 = min(max(x, 0), w), y0 = min(max(y, 0), h)
        let (xEnd, xOver) = x.addingReportingOverflow(max(width, 0))
        let (yEnd, yOver) = y.addingReportingOverflow(max(height, 0))
        let x1 = min(max(xOver ? Int.max : xEnd, x0), w)
        let y1 = min(max(yOver ? Int.max : yEnd, y0), h)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// `x,y widthxheight`, for messages.
    public var description: String { "\(x),\(y) \(width)×\(height)" }
}
