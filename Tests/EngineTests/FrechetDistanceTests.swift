import Engine
import Foundation
import Testing

/// The Fréchet distance of `zoetrope eval` against pytorch-fid's formula computed with scipy's `sqrtm`
/// (`python tools/reference/frechet_fixture.py`), including a rank-deficient case (fewer samples than features).
@Suite struct FrechetDistanceTests {
    struct Fixture: Decodable {
        struct Case: Decodable { var name: String; var a: [[Double]]; var b: [[Double]]; var fd: Double }
        var cases: [Case]
    }

    @Test func matchesScipy() throws {
        let data = try Data(contentsOf: EngineTestSupport.fixtures.appendingPathComponent("frechet.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        #expect(fixture.cases.count == 3)
        for c in fixture.cases {
            let fd = try #require(FrechetDistance.between(c.a, c.b))
            #expect(abs(fd - c.fd) <= 1e-6 * max(1, c.fd), "\(c.name): \(fd) vs scipy \(c.fd)")
        }
        #expect(FrechetDistance.between([[1, 2]], [[1, 2], [3, 4]]) == nil)
    }
}
