/**
 * organization() with teams and dynamic access control through Better Auth on `migrate(db, { plugins:
 * ['organization'] })`, with and without joins: create, invite, accept, roles, teams, the active organization and
 * team on the session, a dynamic role made at run time and checked by hasPermission.
 */

import { createAccessControl } from "better-auth/plugins/access";
import { organization } from "better-auth/plugins/organization";
import { adminAc, defaultStatements, memberAc, ownerAc } from "better-auth/plugins/organization/access";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, pluginAuth, pluginDatabase, signUp } from "./support.js";

const ac = createAccessControl(defaultStatements);
const orgPlugin = () =>
  organization({
    ac,
    roles: {
      owner: ac.newRole(ownerAc.statements),
      admin: ac.newRole(adminAc.statements),
      member: ac.newRole(memberAc.statements),
    },
    teams: { enabled: true },
    dynamicAccessControl: { enabled: true },
  });

describe.each([false, true])("organization() (joins: %s)", (joins) => {
  let d: Awaited<ReturnType<typeof pluginDatabase<"organization">>>;
  let auth: ReturnType<typeof makeAuth>;
  const makeAuth = () => pluginAuth(d.db, d.s.authSchema, [orgPlugin()], { advanced: { database: { joins } } });
  beforeAll(async () => {
    d = await pluginDatabase(`plugin_organization_${joins}`, ["organization"]);
    auth = makeAuth();
  });
  afterAll(() => d?.close());

  const sessionRow = async (userId: string) =>
    (await d.db.select().from(d.s.sessionTable).where(eq(d.s.sessionTable.userId, userId)))[0];

  it("creates, invites, accepts, sets roles, teams, the active organization and team, and a dynamic role", async () => {
    const owner = await signUp(auth, "Owner");
    const invitee = await signUp(auth, "Invitee");
    const org = await auth.api.createOrganization({
      headers: owner.cookie,
      body: { name: "Acme", slug: `acme-${joins}` },
    });
    expect(org?.slug).toBe(`acme-${joins}`);
    expect((await sessionRow(owner.id))?.activeOrganizationId).toBe(org?.id);
    const organizationId = org?.id as string;

    const invitation = await auth.api.createInvitation({
      headers: owner.cookie,
      body: { email: invitee.email, role: "member", organizationId },
    });
    const [stored] = await d.db.select().from(d.s.invitationTable).where(eq(d.s.invitationTable.id, invitation.id));
    expect(stored).toMatchObject({ status: "pending", inviterId: owner.id, organizationId });
    const accepted = await auth.api.acceptInvitation({
      headers: invitee.cookie,
      body: { invitationId: invitation.id },
    });
    expect(accepted?.member.userId).toBe(invitee.id);

    const members = await auth.api.listMembers({ headers: owner.cookie, query: { organizationId } });
    expect(members.members.map((m) => [m.user.email, m.role]).sort()).toEqual(
      [
        [owner.email, "owner"],
        [invitee.email, "member"],
      ].sort(),
    );
    const inviteeMember = members.members.find((m) => m.userId === invitee.id);
    await auth.api.updateMemberRole({
      headers: owner.cookie,
      body: { memberId: inviteeMember?.id as string, role: "admin", organizationId },
    });
    expect((await d.db.select().from(d.s.memberTable).where(eq(d.s.memberTable.userId, invitee.id)))[0]?.role).toBe(
      "admin",
    );

    const full = await auth.api.getFullOrganization({ headers: owner.cookie, query: { organizationId } });
    expect(full?.members).toHaveLength(2);
    expect(full?.invitations.map((i) => i.status)).toEqual(["accepted"]);

    // Teams.
    const team = await auth.api.createTeam({ headers: owner.cookie, body: { name: "Core", organizationId } });
    await auth.api.addTeamMember({ headers: owner.cookie, body: { teamId: team.id, userId: invitee.id } });
    const teamMembers = await d.db.select().from(d.s.teamMemberTable).where(eq(d.s.teamMemberTable.teamId, team.id));
    expect(teamMembers.map((m) => m.userId)).toEqual([invitee.id]);
    await auth.api.setActiveOrganization({ headers: invitee.cookie, body: { organizationId } });
    await auth.api.setActiveTeam({ headers: invitee.cookie, body: { teamId: team.id } });
    expect(await sessionRow(invitee.id)).toMatchObject({ activeOrganizationId: organizationId, activeTeamId: team.id });
    const session = await auth.api.getSession({ headers: invitee.cookie });
    expect(session?.session).toMatchObject({ activeOrganizationId: organizationId, activeTeamId: team.id });

    // A dynamic role, stored in organization_role, given to the invitee and checked.
    await auth.api.createOrgRole({
      headers: owner.cookie,
      body: { role: "auditor", permission: { invitation: ["create"] }, organizationId },
    });
    const [role] = await d.db.select().from(d.s.organizationRoleTable);
    expect(role).toMatchObject({ organizationId, role: "auditor" });
    expect(JSON.parse(role?.permission as string)).toEqual({ invitation: ["create"] });
    await auth.api.updateMemberRole({
      headers: owner.cookie,
      body: { memberId: inviteeMember?.id as string, role: "auditor", organizationId },
    });
    const may = (permissions: Record<string, string[]>) =>
      auth.api.hasPermission({ headers: invitee.cookie, body: { permissions, organizationId } });
    expect((await may({ invitation: ["create"] })).success).toBe(true);
    expect((await may({ organization: ["delete"] })).success).toBe(false);

    // The slug is unique.
    await failure(
      auth.api.createOrganization({ headers: invitee.cookie, body: { name: "Copy", slug: `acme-${joins}` } }),
    );
  });
});
