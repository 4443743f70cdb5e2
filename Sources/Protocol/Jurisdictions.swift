/// The administrative areas of the two cities that records name (seed Art. 四: projects come
/// "from Suzhou" and land in Suqian's co-built parks).
public enum Jurisdictions {
  /// Suzhou's districts and county-level cities, where a transferred project comes from.
  /// 苏州高新区 is the usual name of 虎丘区; both are accepted.
  public static let suzhou: [String] = [
    "姑苏区", "虎丘区", "苏州高新区", "吴中区", "相城区", "吴江区", "苏州工业园区", "常熟市", "张家港市", "昆山市", "太仓市",
  ]

  /// Suqian's counties and districts, and the city's functional zones, where a co-built park lies.
  public static let suqian: [String] = [
    "宿城区", "宿豫区", "沭阳县", "泗阳县", "泗洪县", "宿迁经济技术开发区", "湖滨新区", "洋河新区",
  ]
}
