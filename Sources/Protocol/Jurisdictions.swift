/// The administrative areas of the two cities that records name (seed Art. 四: projects come
/// "from Suzhou" and land in Suqian's co-built parks).
public enum Jurisdictions {
  /// Suzhou's districts and county-level cities, where a transferred project comes from.
  /// 苏州高新区 is the usual name of 虎丘区; both are accepted.
  public static let suzhou: [String] = [
    "姑苏区", "虎丘区", "苏州高新区", "吴中区", "相城区", "吴江区", "苏州工业园区", "常熟市", "张家港市", "昆山市", "太仓市",
  ]

  /// Suqian's counties and districts (县、区), the units of the per-county targets of Art. 二.
  public static let suqianCounties: [String] = ["沭阳县", "泗阳县", "泗洪县", "宿城区", "宿豫区"]

  /// Suqian's functional zones (市各功能区, Art. 七): not counties or districts, so not units of the
  /// per-county targets; what lies in them is listed apart.
  public static let suqianFunctionalZones: [String] = ["宿迁经济技术开发区", "湖滨新区", "洋河新区"]

  /// Suqian's counties and districts, and the city's functional zones, where a co-built park or a
  /// transferred project lies.
  public static let suqian: [String] = ["宿城区", "宿豫区", "沭阳县", "泗阳县", "泗洪县"] + suqianFunctionalZones

  /// The city's name on the Suqian side of the city-level pairing.
  public static let suqianCity = "宿迁市"

  /// The city and county pairings of Art. 六 (市、县(区)与苏州对口挂钩市(区)): the Suqian unit and
  /// its Suzhou counterpart. The seed names no pairs; these are the two cities' standing ones,
  /// kept here as the deployment's list.
  public static let pairings: [(suqian: String, suzhou: String)] = [
    (suqianCity, "苏州市"), ("沭阳县", "昆山市"), ("泗阳县", "吴江区"), ("泗洪县", "常熟市"), ("宿城区", "太仓市"), ("宿豫区", "张家港市"),
  ]
}
