public import GongjianProtocol
public import GRPCCore
internal import SwiftProtobuf

/// `gongjian.v1.Identity`: who the caller is.
public struct IdentityService: Gongjian_V1_Identity.SimpleServiceProtocol {
  private let directory: DirectoryCache

  /// Creates the service.
  public init(directory: DirectoryCache) {
    self.directory = directory
  }

  public func whoAmI(
    request: Gongjian_V1_WhoAmIRequest, context: ServerContext
  ) async throws -> Gongjian_V1_WhoAmIResponse {
    let caller = try context.caller
    let memberships = try await self.directory.memberships(officeID: caller.office.id)
    return .with {
      $0.office = caller.office
      $0.memberships = memberships
      $0.certificateSerial = caller.certificateSerial
      if let notAfter = caller.certificateNotAfter {
        $0.certificateNotAfter = Google_Protobuf_Timestamp(date: notAfter)
      }
    }
  }
}
