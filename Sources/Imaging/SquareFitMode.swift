/// How `RGBImage.fittedToSquare(side:mode:fill:filter:)` makes a picture square.
public enum SquareFitMode: String, Sendable, CaseIterable {
    /// Scale the whole picture so its longer side fits, then pad the shorter side equally with the fill colour.
    case letterbox
    /// Cut the largest centred square out of the picture, then scale it; nothing is padded, the long side's ends are lost.
    case centerCrop
}
