internal import Foundation

/// The schema's fixed-point amounts written for people, exactly (integers, never floating
/// point, except the rounded 亿元/万元 forms of `yuanShort`).
public enum FixedPoint {
  /// Basis points as a percentage with two decimals: 2000 → "20.00%".
  public static func percent(_ bp: Int64) -> String {
    let sign = bp < 0 ? "-" : ""
    let magnitude = bp.magnitude
    return "\(sign)\(magnitude / 100).\(String(format: "%02d", Int(magnitude % 100)))%"
  }

  /// Fen per mu as 10k yuan per mu with two decimals: 448,000,000 → "448.00".
  public static func intensity(_ fenPerMu: Int64) -> String {
    let hundredths = (fenPerMu + 5_000) / 10_000  // 10k yuan = 1,000,000 fen; keep 2 decimals
    return "\(hundredths / 100).\(String(format: "%02d", Int(hundredths % 100)))"
  }

  /// Centimu (0.01 亩) as 亩 with up to two decimals: 19,500 → "195", 12,345 → "123.45".
  public static func centimuAsMu(_ centimu: Int64) -> String {
    let sign = centimu < 0 ? "-" : ""
    let magnitude = centimu.magnitude
    let fraction = magnitude % 100
    return sign + String(magnitude / 100) + (fraction == 0 ? "" : "." + String(format: "%02d", Int(fraction)))
  }

  /// Yuan in the unit a reader expects: "1.35 亿元", "9.7 万元", "800 元".
  public static func yuanShort(_ value: Int64) -> String {
    if value >= 100_000_000 { return String(format: "%.2f 亿元", Double(value) / 100_000_000) }
    if value >= 10_000 { return String(format: "%.1f 万元", Double(value) / 10_000) }
    return "\(value) 元"
  }

  /// An indicator's value by its field name: `…_bp` as a percentage, `…_fen_per_mu` in 万元/亩.
  public static func indicator(_ name: String, _ value: Int64) -> String {
    if name.hasSuffix("_bp") { return Self.percent(value) }
    if name.hasSuffix("_fen_per_mu") { return Self.intensity(value) + " 万元/亩" }
    return String(value)
  }
}
