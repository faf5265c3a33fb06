using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Sessions;

/// <summary>BearerAuthenticator, SessionStateCache and ending sessions through SessionService.</summary>
public sealed class SessionLifecycleTests
{
    private readonly CoreHarness _h = new();

    [Fact]
    public async Task A_fresh_access_token_is_valid_with_its_claims()
    {
        var (user, pair) = await _h.SignedInUserAsync();

        var result = await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);

        Assert.Equal(BearerStatus.Valid, result.Status);
        Assert.Equal(user.Id, result.Claims!.Subject);
        Assert.Equal(pair.SessionId, result.Claims.SessionId);
    }

    [Theory]
    [InlineData(null, BearerStatus.Missing)]
    [InlineData("", BearerStatus.Missing)]
    [InlineData("fake.bm90LW91cnM.c2lnbmF0dXJl", BearerStatus.Invalid)]
    [InlineData("garbage", BearerStatus.Invalid)]
    public async Task A_missing_or_foreign_bearer_token_is_refused(string? token, BearerStatus expected)
    {
        Assert.Equal(expected, (await _h.Bearer.AuthenticateAsync(token, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task An_access_token_past_its_lifetime_is_expired_but_still_shows_its_claims()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        _h.Clock.Advance(_h.Options.Tokens.AccessTokenLifetime);

        var result = await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);

        Assert.Equal(BearerStatus.Expired, result.Status);
        Assert.Equal(user.Id, result.Claims!.Subject);
    }

    [Fact]
    public async Task Signing_out_revokes_the_session_s_access_token_at_once()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);

        var ended = await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.SignOut, CoreHarness.Native, user.Id, user.Id);

        Assert.True(ended.Succeeded);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Single(_h.AuditRows(AuditTypes.SessionEnded), e => e.Detail == SessionEndReasons.SignOut);
    }

    [Fact]
    public async Task The_bearer_check_reads_a_session_s_state_once_within_the_cache_duration()
    {
        var (_, pair) = await _h.SignedInUserAsync();

        await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);
        await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);
        _h.Clock.Advance(_h.Options.Tokens.SessionStateCacheDuration);
        await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);

        Assert.Equal(2, _h.StateReader.Reads);
    }

    [Fact]
    public async Task A_session_ended_by_another_instance_is_refused_within_the_cache_s_bound()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
        await _h.Database.ChangeAsync<Session>(_h.Database.Sessions, pair.SessionId, s => s.EndedAt = _h.Clock.GetUtcNow());

        var cached = await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);
        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        var later = await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);

        Assert.Equal(BearerStatus.Valid, cached.Status);
        Assert.Equal(BearerStatus.Revoked, later.Status);
    }

    [Fact]
    public async Task A_token_of_a_generation_newer_than_the_cached_state_is_looked_up_again()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);
        // Another instance refreshed the session and issued a token of the next generation.
        await _h.Database.ChangeAsync<Session>(_h.Database.Sessions, pair.SessionId, s => s.Generation = 1);
        var newer = await _h.AccessTokens.IssueAsync(new AccessTokenDescriptor(user.Id, user.Number, pair.SessionId, 1, Surfaces.Native, Surfaces.Native,
            [], null, false, _h.Clock.GetUtcNow(), _h.Clock.GetUtcNow().AddMinutes(15)));

        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(newer.Token, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task A_session_past_its_absolute_end_is_not_active()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        _h.Clock.Advance(_h.Options.Tokens.RefreshTokenLifetime);

        Assert.Empty(await _h.Sessions.ListActiveAsync(user.Id));
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.SignOut, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Ending_another_user_s_session_is_not_found()
    {
        var (_, pair) = await _h.SignedInUserAsync();

        var ended = await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.EndedByUser, CoreHarness.Native, ownerId: "usr_someone_else");

        Assert.Equal(CoreErrors.NotFoundCode, ended.Error?.Code);
        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task Ending_a_session_twice_reports_it_already_ended()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.SignOut, CoreHarness.Native);

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.SignOut, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Ending_all_sessions_but_one_keeps_that_one()
    {
        var (user, kept) = await _h.SignedInUserAsync();
        var other = await _h.SignInAsync(user.Email!);
        var third = await _h.SignInAsync(user.Email!);

        var count = await _h.Sessions.EndAllAsync(user.Id, SessionEndReasons.EndedByUser, CoreHarness.Native, kept.SessionId);

        Assert.Equal(2, count);
        Assert.Equal([kept.SessionId], (await _h.Sessions.ListActiveAsync(user.Id)).Select(s => s.Id));
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(other.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(third.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(kept.AccessToken, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task Active_sessions_are_listed_most_recently_seen_first()
    {
        var (user, first) = await _h.SignedInUserAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await _h.SignInAsync(user.Email!);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal([first.SessionId, second.SessionId], (await _h.Sessions.ListActiveAsync(user.Id)).Select(s => s.Id));
    }

    [Fact]
    public async Task Ending_the_session_of_a_current_access_token_succeeds()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        var claims = (await _h.AccessTokens.ReadAsync(pair.AccessToken)).Claims!;

        Assert.True((await _h.Sessions.EndSessionOfTokenAsync(claims, SessionEndReasons.SignOut, CoreHarness.Native)).Succeeded);
        Assert.NotNull(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task A_superseded_access_token_no_longer_speaks_for_its_session()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        var stale = (await _h.AccessTokens.ReadAsync(pair.AccessToken)).Claims!;
        await _h.RefreshAsync(pair.RefreshToken);

        var ended = await _h.Sessions.EndSessionOfTokenAsync(stale, SessionEndReasons.SignOut, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidTokenCode, ended.Error?.Code);
        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task A_session_remembers_the_device_it_was_started_from()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        var context = new RequestContext("ccx", "198.51.100.4", new string('u', 600), "device-1");

        var signedIn = await _h.SignIn.SignInAsync("ada@example.com", CoreHarness.Password, context);

        var session = _h.SessionRow(signedIn.Value.Tokens.SessionId)!;
        Assert.Equal(user.Id, session.UserId);
        Assert.Equal("ccx", session.Surface);
        Assert.Equal("device-1", session.DeviceId);
        Assert.Equal("198.51.100.4", session.IpAddress);
        Assert.Equal(500, session.UserAgent!.Length);
    }

    [Fact]
    public async Task A_token_of_a_session_waiting_for_its_second_factor_is_pending_not_valid()
    {
        var user = await _h.RegisterAsync("ada@example.com");
        var scope = _h.Scope();
        var pair = await scope.Sessions.StartAsync(user, null, CoreHarness.Native, secondFactorPending: true);
        await scope.UnitOfWork.SaveChangesAsync();

        var result = await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any);

        Assert.Equal(BearerStatus.SecondFactorPending, result.Status);
        Assert.Equal(user.Id, result.Claims!.Subject);
        Assert.True(result.Claims.SecondFactorPending);
    }
}
