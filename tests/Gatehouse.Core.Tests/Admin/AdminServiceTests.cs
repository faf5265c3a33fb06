using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Admin;

/// <summary>AdminService: users (disable, delete, roles, sessions) and clients.</summary>
public sealed class AdminServiceTests
{
    private const string Actor = "usr_admin";
    private readonly CoreHarness _h = new();

    [Fact]
    public async Task Disabling_an_account_ends_its_sessions_and_refuses_its_sign_in()
    {
        var (user, pair) = await _h.SignedInUserAsync();

        var disabled = await _h.Admin.SetDisabledAsync(user.Id, true, Actor, CoreHarness.Native);

        Assert.Equal(UserStatus.Disabled, disabled.Value.Status);
        Assert.Equal(SessionEndReasons.AccountDisabled, _h.SessionRow(pair.SessionId)!.EndReason);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(pair.RefreshToken)).Error?.Code);
        Assert.Equal(CoreErrors.AccountDisabledCode, (await _h.SignIn.SignInAsync(user.Email, CoreHarness.Password, CoreHarness.Native)).Error?.Code);
        Assert.Single(_h.AuditRows(AuditTypes.AdminUserDisabled), e => e.Detail == "disabled" && e.ActorId == Actor);
    }

    [Fact]
    public async Task Enabling_an_account_again_also_lifts_a_sign_in_lock()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        for (var i = 0; i < 7; i++)
        {
            await _h.SignIn.SignInAsync("ada@example.com", "wrong password", CoreHarness.Native);
        }
        await _h.Admin.SetDisabledAsync(user.Id, true, Actor, CoreHarness.Native);

        await _h.Admin.SetDisabledAsync(user.Id, false, Actor, CoreHarness.Native);

        var row = _h.UserRow(user.Id)!;
        Assert.Equal(UserStatus.Active, row.Status);
        Assert.Equal(0, row.FailedSignIns);
        Assert.Null(row.LockedUntil);
        Assert.True((await _h.SignIn.SignInAsync("ada@example.com", CoreHarness.Password, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task Deleting_an_account_wipes_its_personal_data_ends_its_sessions_and_keeps_its_email_taken()
    {
        var user = await _h.RegisterAsync("ada@example.com", username: "ada");
        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { FirstName = "Ada", Phone = "+44 20 0000", Bio = "Analyst" }, CoreHarness.Native);
        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin], Actor, CoreHarness.Native);
        var pair = await _h.SignInAsync("ada@example.com");

        Assert.True((await _h.Admin.DeleteUserAsync(user.Id, Actor, CoreHarness.Native)).Succeeded);

        var row = _h.UserRow(user.Id)!;
        Assert.Equal(UserStatus.Deleted, row.Status);
        Assert.All(new[] { row.PasswordHash, row.FirstName, row.Phone, row.Bio }, Assert.Null);
        Assert.Equal("", row.Roles);
        Assert.Equal("ada@example.com", row.Email);
        Assert.Equal(SessionEndReasons.Admin, _h.SessionRow(pair.SessionId)!.EndReason);
        Assert.Equal(CoreErrors.AccountDeletedCode, (await _h.Accounts.RegisterAsync(new RegistrationRequest { Email = "ada@example.com", Password = CoreHarness.Password }, RegistrationMode.SelfService, CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.DeleteUserAsync(user.Id, Actor, CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.GetAsync(user.Id)).Error?.Code);
    }

    [Fact]
    public async Task Ending_a_user_s_sessions_reports_how_many_ended()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        await _h.SignInAsync(user.Email!);

        var ended = await _h.Admin.EndSessionsAsync(user.Id, Actor, CoreHarness.Native);

        Assert.Equal(2, ended.Value);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(0, (await _h.Admin.EndSessionsAsync(user.Id, Actor, CoreHarness.Native)).Value);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.EndSessionsAsync("usr_missing", Actor, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Roles_are_stored_sorted_once_each_and_unknown_ones_are_refused()
    {
        var user = await _h.RegisterAsync("ada@example.com");

        var set = await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin, KnownRoles.Admin], Actor, CoreHarness.Native);
        var unknown = await _h.Admin.SetRolesAsync(user.Id, ["superuser"], Actor, CoreHarness.Native);

        Assert.Equal("admin", set.Value.Roles);
        Assert.Equal(["unknown"], unknown.Error!.Fields["roles"]);
        Assert.Equal("admin", _h.UserRow(user.Id)!.Roles);
    }

    [Fact]
    public async Task An_administrator_creates_users_with_roles_and_a_confirmation_link_when_unconfirmed()
    {
        var created = await _h.Admin.CreateUserAsync(new RegistrationRequest { Email = "ada@example.com", Password = CoreHarness.Password }, [KnownRoles.Admin], emailConfirmed: false, Actor, CoreHarness.Native);
        var badRole = await _h.Admin.CreateUserAsync(new RegistrationRequest { Email = "eve@example.com", Password = CoreHarness.Password }, ["root"], emailConfirmed: true, Actor, CoreHarness.Native);

        Assert.True(created.Value.IsAdmin);
        Assert.Equal(nameof(MailIntent.EmailConfirmation), Assert.Single(_h.OutboxRows()).Intent);
        Assert.Single(_h.AuditRows(AuditTypes.AdminUserCreated), e => e.UserId == created.Value.Id && e.ActorId == Actor);
        Assert.Equal(["unknown"], badRole.Error!.Fields["roles"]);
    }

    [Fact]
    public async Task An_administrator_may_mark_an_email_confirmed_with_a_profile_change()
    {
        var user = await _h.RegisterAsync("ada@example.com", mode: RegistrationMode.SelfService);

        var updated = await _h.Admin.UpdateUserAsync(user.Id, new ProfileUpdate { LastName = "Lovelace" }, emailConfirmed: true, Actor, CoreHarness.Native);

        Assert.True(updated.Succeeded);
        var row = _h.UserRow(user.Id)!;
        Assert.True(row.EmailConfirmed);
        Assert.Equal("Lovelace", row.LastName);
    }

    [Fact]
    public async Task Users_are_listed_by_number_and_found_by_a_part_of_their_email_or_username()
    {
        await _h.RegisterAsync("ada@example.com", username: "countess");
        await _h.RegisterAsync("grace@navy.example", username: "amazing");

        var all = await _h.Admin.ListUsersAsync(null, 0, 0);
        var found = await _h.Admin.ListUsersAsync("NAVY", 0, 50);
        var byUsername = await _h.Admin.ListUsersAsync("count", 0, 50);

        Assert.Equal(["ada@example.com"], all.Items.Select(u => u.Email));
        Assert.Equal(1, all.Limit);
        Assert.Equal(2, all.Total);
        Assert.Equal(["grace@navy.example"], found.Items.Select(u => u.Email));
        Assert.Equal(["ada@example.com"], byUsername.Items.Select(u => u.Email));
    }

    [Fact]
    public async Task A_client_is_created_with_a_generated_secret_kept_protected()
    {
        var created = await _h.Admin.CreateClientAsync(new ClientChange { Name = "App", RedirectUris = ["https://app.example/cb"] }, Actor, CoreHarness.Native);

        var client = created.Value;
        Assert.StartsWith("cli_", client.ClientId, StringComparison.Ordinal);
        var secret = _h.Admin.RevealSecret(client)!;
        Assert.Equal(43, secret.Length);
        Assert.DoesNotContain(secret, client.ProtectedSecret!, StringComparison.Ordinal);
        Assert.True(_h.Admin.VerifySecret(client, secret));
        Assert.False(_h.Admin.VerifySecret(client, secret + "x"));
        Assert.False(_h.Admin.VerifySecret(client, null));
        Assert.Equal(["https://app.example/cb"], client.RedirectUriList);
        Assert.True(client.Number > 0);
    }

    [Fact]
    public async Task A_client_id_can_be_taken_only_once_even_after_deletion()
    {
        await _h.CreateClientAsync("app");
        Assert.True((await _h.Admin.DeleteClientAsync("app", Actor, CoreHarness.Native)).Succeeded);

        var again = await _h.Admin.CreateClientAsync(new ClientChange { ClientId = "app" }, Actor, CoreHarness.Native);

        Assert.Equal(CoreErrors.ConflictCode, again.Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.GetClientAsync("app")).Error?.Code);
        Assert.Equal(Actor, _h.Database.Get<Client>(_h.Database.Clients, "app")!.DeletedBy);
    }

    [Theory]
    [InlineData("has space", null, null, null, "clientId", "invalid")]
    [InlineData("ok", "too short", null, null, "secret", "length")]
    [InlineData("ok", null, "https://app.example/cb#fragment", null, "redirectUris", "invalid")]
    [InlineData("ok", null, "relative/path", null, "redirectUris", "invalid")]
    [InlineData("ok", null, null, 0, "accessTokenLifetimeSeconds", "must_be_positive")]
    public async Task A_client_is_validated_before_it_is_saved(string clientId, string? secret, string? redirect, int? accessSeconds, string field, string rule)
    {
        var created = await _h.Admin.CreateClientAsync(new ClientChange
        {
            ClientId = clientId, Secret = secret, RedirectUris = redirect is null ? null : [redirect], AccessTokenLifetimeSeconds = accessSeconds,
        }, Actor, CoreHarness.Native);

        Assert.Equal([rule], created.Error!.Fields[field]);
        Assert.Empty(_h.Database.Select<Client>(_h.Database.Clients));
    }

    [Fact]
    public async Task A_client_change_keeps_what_it_does_not_name()
    {
        await _h.CreateClientAsync("app", accessSeconds: 60);

        var updated = await _h.Admin.UpdateClientAsync("app", new ClientChange { Name = "Renamed", Secret = "a brand new client secret" }, Actor, CoreHarness.Native);

        Assert.Equal(("Renamed", 60), (updated.Value.Name, updated.Value.AccessTokenLifetimeSeconds));
        Assert.True(_h.Admin.VerifySecret(_h.Database.Get<Client>(_h.Database.Clients, "app")!, "a brand new client secret"));
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.UpdateClientAsync("missing", new ClientChange(), Actor, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Ensuring_a_client_creates_it_once_and_restores_the_rotation_its_surface_needs()
    {
        var created = await _h.Admin.EnsureClientAsync("surface", "Surface", rotateRefreshTokens: false, isPublic: false, CoreHarness.Native);
        await _h.Admin.UpdateClientAsync("surface", new ClientChange { RotateRefreshTokens = true }, Actor, CoreHarness.Native);

        var ensured = await _h.Admin.EnsureClientAsync("surface", "Surface", rotateRefreshTokens: false, isPublic: false, CoreHarness.Native);

        Assert.True(created.Succeeded);
        Assert.False(ensured.Value.RotateRefreshTokens);
        Assert.Single(_h.Database.Select<Client>(_h.Database.Clients));
        Assert.Single(_h.AuditRows(AuditTypes.AdminClientUpdated), e => e.Detail == "rotation restored");
    }

    [Fact]
    public async Task A_public_surface_client_is_created_without_a_secret_and_an_added_secret_is_dropped_again()
    {
        var created = await _h.Admin.EnsureClientAsync("public-surface", "Surface", rotateRefreshTokens: false, isPublic: true, CoreHarness.Native);
        Assert.True(created.Value.IsPublic);
        Assert.Null(_h.Admin.RevealSecret(created.Value));
        await _h.Admin.UpdateClientAsync("public-surface", new ClientChange { Secret = "a secret someone added later" }, Actor, CoreHarness.Native);
        Assert.False((await _h.Admin.GetClientAsync("public-surface")).Value.IsPublic);

        var ensured = await _h.Admin.EnsureClientAsync("public-surface", "Surface", rotateRefreshTokens: false, isPublic: true, CoreHarness.Native);

        Assert.True(ensured.Value.IsPublic);
        Assert.Null(_h.Database.Get<Client>(_h.Database.Clients, "public-surface")!.ProtectedSecret);
        Assert.Single(_h.AuditRows(AuditTypes.AdminClientUpdated), e => e.Detail == "made public");
    }

    [Fact]
    public async Task A_client_created_by_an_administrator_is_confidential()
    {
        Assert.False((await _h.CreateClientAsync("confidential")).IsPublic);
    }

    [Fact]
    public async Task A_deleted_client_stays_deleted_when_a_surface_ensures_it()
    {
        await _h.Admin.EnsureClientAsync("surface", "Surface", rotateRefreshTokens: true, isPublic: false, CoreHarness.Native);
        await _h.Admin.DeleteClientAsync("surface", Actor, CoreHarness.Native);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.EnsureClientAsync("surface", "Surface", true, false, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Clients_are_listed_without_the_deleted_ones()
    {
        await _h.CreateClientAsync("one");
        await _h.CreateClientAsync("two");
        await _h.Admin.DeleteClientAsync("one", Actor, CoreHarness.Native);

        Assert.Equal(["two"], (await _h.Admin.ListClientsAsync(0, 50)).Items.Select(c => c.ClientId));
    }

    [Fact]
    public async Task A_client_s_id_cannot_be_changed()
    {
        await _h.CreateClientAsync("app");

        var refused = await _h.Admin.UpdateClientAsync("app", new ClientChange { ClientId = "renamed" }, Actor, CoreHarness.Native);

        Assert.Equal(["immutable"], refused.Error!.Fields["clientId"]);
        Assert.True((await _h.Admin.UpdateClientAsync("app", new ClientChange { ClientId = "app", Name = "Same id" }, Actor, CoreHarness.Native)).Succeeded);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Admin.GetClientAsync("renamed")).Error?.Code);
    }

    [Theory]
    [InlineData(0L, "must_be_positive")]
    [InlineData(-5L, "must_be_positive")]
    [InlineData(2147483648L, "too_large")]
    public async Task A_client_lifetime_out_of_range_is_refused_with_its_rule(long seconds, string rule)
    {
        await _h.CreateClientAsync("app");

        var refused = await _h.Admin.UpdateClientAsync("app", new ClientChange { AccessTokenLifetimeSeconds = seconds }, Actor, CoreHarness.Native);

        Assert.Equal([rule], refused.Error!.Fields["accessTokenLifetimeSeconds"]);
        Assert.Null((await _h.Admin.GetClientAsync("app")).Value.AccessTokenLifetimeSeconds);
    }

    [Fact]
    public async Task A_change_to_many_clients_with_a_bad_lifetime_changes_none_of_them()
    {
        await _h.CreateClientAsync("app-1");
        await _h.CreateClientAsync("app-2");

        var refused = await _h.ClientQueries.UpdateWhereAsync(null, new ClientChange { Name = "Renamed", RefreshTokenLifetimeSeconds = 0 }, Actor, CoreHarness.Native);

        Assert.Equal(CoreErrors.ValidationFailedCode, refused.Error?.Code);
        Assert.NotEqual("Renamed", (await _h.Admin.GetClientAsync("app-1")).Value.Name);
        Assert.NotEqual("Renamed", (await _h.Admin.GetClientAsync("app-2")).Value.Name);
    }

    [Fact]
    public async Task A_client_s_effective_lifetimes_are_its_own_or_else_the_defaults()
    {
        var own = await _h.CreateClientAsync("own", accessSeconds: 60, refreshSeconds: 3600, codeSeconds: 30);
        var plain = await _h.CreateClientAsync("plain");
        var defaults = new TokenOptions();

        Assert.Equal(TimeSpan.FromSeconds(60), defaults.AccessLifetimeFor(own));
        Assert.Equal(TimeSpan.FromSeconds(3600), defaults.RefreshLifetimeFor(own));
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.CodeLifetimeFor(own));
        Assert.Equal(defaults.AccessTokenLifetime, defaults.AccessLifetimeFor(plain));
        Assert.Equal(defaults.RefreshTokenLifetime, defaults.RefreshLifetimeFor(null));
        Assert.Equal(defaults.AuthorizationCodeLifetime, defaults.CodeLifetimeFor(plain));
    }
}
