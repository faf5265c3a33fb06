using Gatehouse.Core.Accounts;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Sessions;

/// <summary>A change to a user's roles reaches their live access tokens (issue 19, finding 5).</summary>
public sealed class RoleChangeTests
{
    private const string Actor = "usr_admin";
    private readonly CoreHarness _h = new();

    private async Task<(User User, TokenPair Tokens)> SignedInAdminAsync()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin], Actor, CoreHarness.Native);
        return (user, await _h.SignInAsync("ada@example.com"));
    }

    private async Task<BearerStatus> StatusAsync(string token) => (await _h.Bearer.AuthenticateAsync(token, AudiencePolicy.Any)).Status;

    [Fact]
    public async Task A_demoted_administrator_s_token_is_refused_at_once_and_the_session_refreshes_to_the_new_roles()
    {
        var (user, pair) = await SignedInAdminAsync();
        Assert.Equal(BearerStatus.Valid, await StatusAsync(pair.AccessToken));

        await _h.Admin.SetRolesAsync(user.Id, [], Actor, CoreHarness.Native);

        // No time passes: this instance dropped the cached state it had.
        Assert.Equal(BearerStatus.Revoked, await StatusAsync(pair.AccessToken));
        var refreshed = await _h.RefreshAsync(pair.RefreshToken);
        Assert.True(refreshed.Succeeded, refreshed.Error?.ToString());
        var claims = (await _h.AccessTokens.ReadAsync(refreshed.Value.AccessToken)).Claims!;
        Assert.Empty(claims.Roles);
        Assert.Equal(BearerStatus.Valid, await StatusAsync(refreshed.Value.AccessToken));
        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task Setting_the_roles_a_user_already_has_supersedes_nothing()
    {
        var (user, pair) = await SignedInAdminAsync();
        var before = _h.UserRow(user.Id)!.TokensValidAfter;
        _h.Clock.Advance(TimeSpan.FromSeconds(5));

        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin, KnownRoles.Admin], Actor, CoreHarness.Native);

        Assert.Equal(before, _h.UserRow(user.Id)!.TokensValidAfter);
        Assert.Equal(BearerStatus.Valid, await StatusAsync(pair.AccessToken));
    }

    [Fact]
    public async Task A_role_taken_away_and_given_back_still_refuses_the_tokens_issued_before()
    {
        var (user, pair) = await SignedInAdminAsync();
        _h.Clock.Advance(TimeSpan.FromSeconds(2));

        await _h.Admin.SetRolesAsync(user.Id, [], Actor, CoreHarness.Native);
        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin], Actor, CoreHarness.Native);

        Assert.Equal(BearerStatus.Revoked, await StatusAsync(pair.AccessToken));
        var refreshed = (await _h.RefreshAsync(pair.RefreshToken)).Value;
        Assert.Equal(BearerStatus.Valid, await StatusAsync(refreshed.AccessToken));
    }

    [Fact]
    public async Task A_token_signed_with_roles_read_before_a_change_is_refused_however_close_the_two_instants()
    {
        var (user, pair) = await SignedInAdminAsync();
        var stale = (await _h.AccessTokens.ReadAsync(pair.AccessToken)).Claims!;
        await _h.Admin.SetRolesAsync(user.Id, [], Actor, CoreHarness.Native);

        // Issued after the change (same second) from a user row read before it.
        var late = await _h.AccessTokens.IssueAsync(new AccessTokenDescriptor(user.Id, user.Number, pair.SessionId, stale.Generation,
            stale.Audience, stale.Surface, [KnownRoles.Admin], null, false, _h.Clock.GetUtcNow(), _h.Clock.GetUtcNow().AddMinutes(15)));

        Assert.Equal(BearerStatus.Revoked, await StatusAsync(late.Token));
    }

    [Fact]
    public async Task Another_instance_refuses_a_demoted_administrator_s_token_within_the_session_state_bound()
    {
        var (user, pair) = await SignedInAdminAsync();
        // A second instance over the same database: its own cache and bearer check.
        var otherCache = new SessionStateCache(_h.StateReader, _h.Clock, _h.TokenOptions);
        var other = new BearerAuthenticator(_h.AccessTokens, otherCache);
        Assert.Equal(BearerStatus.Valid, (await other.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);

        await _h.Admin.SetRolesAsync(user.Id, [], Actor, CoreHarness.Native);
        _h.Clock.Advance(_h.Options.Tokens.SessionStateCacheDuration);

        Assert.True(_h.Options.Tokens.SessionStateCacheDuration <= TimeSpan.FromSeconds(1));
        Assert.Equal(BearerStatus.Revoked, (await other.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task A_token_of_a_disabled_account_is_refused_even_while_its_session_row_is_still_open()
    {
        var (user, pair) = await SignedInAdminAsync();
        // As if a sign-in raced the disabling: the account is disabled, this session not ended.
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => u.Status = UserStatus.Disabled);
        _h.Clock.Advance(_h.Options.Tokens.SessionStateCacheDuration);

        Assert.Equal(BearerStatus.Revoked, await StatusAsync(pair.AccessToken));
    }

    [Fact]
    public async Task Disabling_or_deleting_marks_the_instant_from_which_tokens_count()
    {
        var (user, _) = await SignedInAdminAsync();
        var other = await _h.RegisterAsync("grace@example.com");
        _h.Clock.Advance(TimeSpan.FromSeconds(3));

        await _h.Admin.SetDisabledAsync(user.Id, true, Actor, CoreHarness.Native);
        await _h.Admin.DeleteUserAsync(other.Id, Actor, CoreHarness.Native);

        Assert.Equal(_h.Clock.GetUtcNow(), _h.UserRow(user.Id)!.TokensValidAfter);
        Assert.Equal(_h.Clock.GetUtcNow(), _h.UserRow(other.Id)!.TokensValidAfter);
    }
}
