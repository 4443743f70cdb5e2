import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

@Suite("Tenancy and roles")
struct AuthorizationTests {
  /// Every sync RPC, as the given office, against a tenant.
  static func everySyncCall(_ h: Harness, as officeID: String, tenant: String) -> [(String, @Sendable () async throws -> Void)] {
    [
      ("push", { _ = try await h.sync.push(pushRequest(tenant, client: "c-\(officeID)", [putPark(newID(), base: 0, name: "x")]), metadata: office(officeID)) }),
      ("pull", { _ = try await h.sync.pull(.with { $0.tenantID = tenant }, metadata: office(officeID)) }),
      ("get", { _ = try await h.sync.getRecord(.with { $0.tenantID = tenant; $0.kind = "park"; $0.id = newID() }, metadata: office(officeID)) }),
      ("subscribe", {
        try await h.sync.subscribe(.with { $0.tenantID = tenant }, metadata: office(officeID)) { response in
          for try await _ in response.messages { return }
        }
      }),
      ("memberships", { _ = try await h.admin.listMemberships(.with { $0.tenantID = tenant }, metadata: office(officeID)) }),
    ]
  }

  @Test("Every RPC refuses an office that is not a member of the tenant", arguments: ["sip-suqian", "city", "no-such-tenant"])
  func crossTenantRefused(tenant: String) async throws {
    try await Harness.with { h in
      // wujiang.commerce belongs to wujiang-siyang only.
      for (name, call) in Self.everySyncCall(h, as: "wujiang.commerce", tenant: tenant) {
        let error = await #expect(throws: RPCError.self, "\(name)") { try await call() }
        #expect(error?.code == .permissionDenied, "\(name)")
        #expect(error?.message.contains("not a member of tenant \(tenant)") == true, "\(name): \(error?.message ?? "")")
      }
    }
  }

  @Test("A record of another tenant is invisible: same answer whether it exists or not")
  func noExistenceLeak() async throws {
    try await Harness.with { h in
      let id = newID()
      _ = try await h.sync.push(pushRequest("sip-suqian", [putPark(id, base: 0, name: "secret")]), metadata: office("suqian.commerce"))
      let existing = await #expect(throws: RPCError.self) {
        try await h.sync.getRecord(.with { $0.tenantID = "sip-suqian"; $0.kind = "park"; $0.id = id }, metadata: office("wujiang.commerce"))
      }
      let missing = await #expect(throws: RPCError.self) {
        try await h.sync.getRecord(.with { $0.tenantID = "sip-suqian"; $0.kind = "park"; $0.id = newID() }, metadata: office("wujiang.commerce"))
      }
      #expect(existing?.code == missing?.code)
      #expect(existing?.message == missing?.message)
    }
  }

  @Test("Viewers read but do not write; the message names tenant and roles")
  func viewerCannotWrite() async throws {
    try await Harness.with { h in
      _ = try await h.sync.pull(.with { $0.tenantID = "sip-suqian" }, metadata: office("suqian.finance"))
      let error = await #expect(throws: RPCError.self) {
        try await h.sync.push(pushRequest("sip-suqian", client: "f", [putPark(newID(), base: 0, name: "x")]), metadata: office("suqian.finance"))
      }
      #expect(error?.code == .permissionDenied)
      #expect(error?.message == "office suqian.finance has role viewer in tenant sip-suqian; push needs contributor")
    }
  }

  @Test("Overseers read every tenant but write only where they are members")
  func overseers() async throws {
    try await Harness.with { h in
      for tenant in ["sip-suqian", "changshu-sihong", "wujiang-siyang"] {
        _ = try await h.sync.pull(.with { $0.tenantID = tenant }, metadata: office("suqian.stats"))
        let error = await #expect(throws: RPCError.self) {
          try await h.sync.push(pushRequest(tenant, client: "stats", [putPark(newID(), base: 0, name: "x")]), metadata: office("suqian.stats"))
        }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("overseers read every tenant") == true)
      }
      // suqian.drc is an overseer and admin of city: it writes there.
      let ok = try await h.sync.push(pushRequest("city", client: "drc", [putPark(newID(), base: 0, name: "x")]), metadata: office("suqian.drc"))
      #expect(ok.results[0].applied.version == 1)
    }
  }

  @Test("A membership removed through the Admin service stops access at once, despite the directory cache")
  func removalIsImmediate() async throws {
    try await Harness.with(configure: { $0.authorization.directoryCacheTimeToLive = .seconds(60) }) { h in
      _ = try await h.sync.pull(.with { $0.tenantID = "sip-suqian" }, metadata: office("suqian.commerce"))
      _ = try await h.admin.removeMembership(.with { $0.tenantID = "sip-suqian"; $0.officeID = "suqian.commerce" }, metadata: office("sip-suqian.admin"))
      let error = await #expect(throws: RPCError.self) {
        try await h.sync.pull(.with { $0.tenantID = "sip-suqian" }, metadata: office("suqian.commerce"))
      }
      #expect(error?.code == .permissionDenied)
      let me = try await h.identity.whoAmI(.init(), metadata: office("suqian.commerce"))
      #expect(!me.memberships.map(\.tenantID).contains("sip-suqian"))
    }
  }

  @Test("Without an identity every call is UNAUTHENTICATED")
  func unauthenticated() async throws {
    try await Harness.with { h in
      let error = await #expect(throws: RPCError.self) { try await h.identity.whoAmI(.init()) }
      #expect(error?.code == .unauthenticated)
      let unknown = await #expect(throws: RPCError.self) { try await h.identity.whoAmI(.init(), metadata: office("nobody.here")) }
      #expect(unknown?.code == .unauthenticated)
    }
  }

  @Test("WhoAmI returns the office, side and memberships")
  func whoAmI() async throws {
    try await Harness.with { h in
      let me = try await h.identity.whoAmI(.init(), metadata: office("sip.admin"))
      #expect(me.office.side == .suzhou)
      #expect(me.memberships.map(\.tenantID) == ["sip-suqian"])
      #expect(me.memberships.first?.role == .secretariat)
    }
  }

  @Test("Admin calls need the admin role of the tenant, or of the operator tenant")
  func adminRoles() async throws {
    try await Harness.with { h in
      let denied = await #expect(throws: RPCError.self) {
        try await h.admin.setMembership(.with { $0.tenantID = "sip-suqian"; $0.officeID = "suqian.stats"; $0.role = .viewer }, metadata: office("sip.admin"))
      }
      #expect(denied?.message == "office sip.admin has role secretariat in tenant sip-suqian; set membership needs admin")
      let granted = try await h.admin.setMembership(.with { $0.tenantID = "sip-suqian"; $0.officeID = "suqian.stats"; $0.role = .viewer }, metadata: office("sip-suqian.admin"))
      #expect(granted.side == .suqian)
      let notOperator = await #expect(throws: RPCError.self) {
        try await h.admin.createTenant(.with { $0.id = "kunshan-shuyang"; $0.name = "昆山（沭阳）" }, metadata: office("sip-suqian.admin"))
      }
      #expect(notOperator?.code == .permissionDenied)
      _ = try await h.admin.createTenant(.with { $0.id = "kunshan-shuyang"; $0.name = "昆山（沭阳）" }, metadata: office("suqian.drc"))
      let invalid = await #expect(throws: RPCError.self) {
        try await h.admin.createTenant(.with { $0.id = "Bad Id"; $0.name = "" }, metadata: office("suqian.drc"))
      }
      #expect(invalid?.code == .invalidArgument)
      #expect(invalid?.message.contains("id:") == true && invalid?.message.contains("name:") == true)
      let bad = await #expect(throws: RPCError.self) {
        try await h.admin.putOffice(.with { $0.office = .with { $0.id = "x"; $0.name = "n" } }, metadata: office("suqian.drc"))
      }
      #expect(bad?.message.contains("office.side") == true)
    }
  }
}
