using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Sessions;

/// <summary>SessionService.RefreshAsync: rotation, reuse, grace, supersession, expiry (RFC 9700 section 4.14.2).</summary>
public sealed class RefreshTests
{
    private readonly CoreHarness _h = new();

    [Fact]
    public async Task A_refresh_returns_a_new_refresh_token_and_moves_the_session_to_the_next_generation()
    {
        var (_, first) = await _h.SignedInUserAsync();

        var refreshed = await _h.RefreshAsync(first.RefreshToken);

        Assert.True(refreshed.Succeeded);
        Assert.NotEqual(first.RefreshToken, refreshed.Value.RefreshToken);
        Assert.Equal(first.SessionId, refreshed.Value.SessionId);
        Assert.Equal(1, _h.SessionRow(first.SessionId)!.Generation);
        var claims = (await _h.AccessTokens.ReadAsync(refreshed.Value.AccessToken)).Claims!;
        Assert.Equal(1, claims.Generation);
        Assert.Equal(1, _h.Rotations.Rotations);
    }

    [Fact]
    public async Task Each_new_refresh_token_refreshes_in_turn()
    {
        var (_, pair) = await _h.SignedInUserAsync();

        for (var i = 0; i < 3; i++)
        {
            _h.Clock.Advance(TimeSpan.FromMinutes(1));
            var next = await _h.RefreshAsync(pair.RefreshToken);
            Assert.True(next.Succeeded, next.Error?.ToString());
            pair = next.Value;
        }

        Assert.Equal(3, _h.SessionRow(pair.SessionId)!.Generation);
    }

    [Fact]
    public async Task The_refresh_token_is_stored_only_as_its_hash()
    {
        var (_, pair) = await _h.SignedInUserAsync();

        var rows = _h.Database.Select<RefreshToken>(_h.Database.RefreshTokens);

        Assert.Equal(SecureTokens.Hash(pair.RefreshToken), Assert.Single(rows).Hash);
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_after_the_grace_ends_the_whole_session()
    {
        var (user, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;
        _h.Clock.Advance(TimeSpan.FromSeconds(11));

        var reused = await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal(CoreErrors.SessionEndedCode, reused.Error?.Code);
        var session = _h.SessionRow(first.SessionId)!;
        Assert.NotNull(session.EndedAt);
        Assert.Equal(SessionEndReasons.RefreshTokenReuse, session.EndReason);
        Assert.Single(_h.AuditRows(AuditTypes.RefreshTokenReused), e => e.UserId == user.Id && e.Detail == first.SessionId);
        // The legitimate holder's newer tokens die with the session.
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(second.RefreshToken)).Error?.Code);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(second.AccessToken, AudiencePolicy.Any)).Status);
    }

    // Issue 19 finding 3 changed this on purpose: within the grace, a replay used to get a new
    // sibling each time (two chains, reuse never detected); it now gets the successor already issued.
    [Fact]
    public async Task A_replay_of_the_previous_token_within_the_grace_gets_the_successor_already_issued_every_time()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var winner = (await _h.RefreshAsync(first.RefreshToken)).Value;
        _h.Clock.Advance(TimeSpan.FromSeconds(5));

        var replay = (await _h.RefreshAsync(first.RefreshToken)).Value;
        var again = (await _h.RefreshAsync(first.RefreshToken)).Value;

        Assert.Equal(winner.RefreshToken, replay.RefreshToken);
        Assert.Equal(winner.RefreshToken, again.RefreshToken);
        Assert.Equal(winner.RefreshTokenExpiresAt, replay.RefreshTokenExpiresAt);
        // No second chain: one consumed token and its one successor; the generation did not move.
        Assert.Equal(2, _h.Database.Select<RefreshToken>(_h.Database.RefreshTokens).Count);
        Assert.Equal(1, _h.SessionRow(first.SessionId)!.Generation);
        Assert.Null(_h.SessionRow(first.SessionId)!.EndedAt);
        // A fresh access token of the current generation, and the winner's stays valid.
        Assert.NotEqual(winner.AccessToken, replay.AccessToken);
        Assert.Equal(1, (await _h.AccessTokens.ReadAsync(replay.AccessToken)).Claims!.Generation);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(winner.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(replay.AccessToken, AudiencePolicy.Any)).Status);
        // The successor is still the one live token, and rotates once.
        Assert.True((await _h.RefreshAsync(replay.RefreshToken)).Succeeded);
        Assert.Equal(2, _h.SessionRow(first.SessionId)!.Generation);
    }

    [Fact]
    public async Task A_replay_within_the_grace_and_again_after_it_ends_the_session()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;
        Assert.True((await _h.RefreshAsync(first.RefreshToken)).Succeeded);
        _h.Clock.Advance(_h.Options.Tokens.RefreshReuseGrace + TimeSpan.FromSeconds(1));

        var late = await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal(CoreErrors.SessionEndedCode, late.Error?.Code);
        Assert.Equal(SessionEndReasons.RefreshTokenReuse, _h.SessionRow(first.SessionId)!.EndReason);
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(second.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task A_replay_within_the_grace_whose_successor_cannot_be_opened_is_refused_and_the_session_stays()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;
        // As if another instance (or this one before a restart) had rotated it: its keys are not ours.
        var elsewhere = new SuccessorVault(_h.Clock, _h.TokenOptions).Seal(second.RefreshToken, SecureTokens.Hash(first.RefreshToken));
        await _h.Database.ChangeAsync<RefreshToken>(_h.Database.RefreshTokens, SecureTokens.Hash(first.RefreshToken), t => t.SealedSuccessor = elsewhere);

        var replay = await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal(CoreErrors.InvalidTokenCode, replay.Error?.Code);
        Assert.Null(_h.SessionRow(first.SessionId)!.EndedAt);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(second.AccessToken, AudiencePolicy.Any)).Status);
        Assert.True((await _h.RefreshAsync(second.RefreshToken)).Succeeded);
    }

    [Fact]
    public async Task The_successor_is_kept_only_sealed_on_the_consumed_token_and_stops_opening_after_twice_the_grace()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;

        var consumed = _h.Database.Get<RefreshToken>(_h.Database.RefreshTokens, SecureTokens.Hash(first.RefreshToken))!;
        Assert.NotNull(consumed.SealedSuccessor);
        Assert.DoesNotContain(second.RefreshToken, consumed.SealedSuccessor, StringComparison.Ordinal);
        Assert.Null(_h.Database.Get<RefreshToken>(_h.Database.RefreshTokens, SecureTokens.Hash(second.RefreshToken))!.SealedSuccessor);
        Assert.Equal(second.RefreshToken, _h.Successors.Open(consumed.SealedSuccessor, consumed.Hash));
        _h.Clock.Advance(2 * _h.Options.Tokens.RefreshReuseGrace);
        Assert.Null(_h.Successors.Open(consumed.SealedSuccessor, consumed.Hash));
    }

    [Fact]
    public async Task An_unconsumed_token_older_than_the_session_s_generation_is_reuse_and_ends_the_session()
    {
        var (user, first) = await _h.SignedInUserAsync();
        // A second token of generation 0 (the siblings the grace used to hand out), left unconsumed.
        var sibling = SecureTokens.New();
        var scope = _h.Scope();
        scope.SessionStore.AddRefreshToken(new RefreshToken
        {
            Hash = SecureTokens.Hash(sibling), SessionId = first.SessionId, Generation = 0,
            CreatedAt = CoreHarness.Start, ExpiresAt = first.RefreshTokenExpiresAt,
        });
        await scope.UnitOfWork.SaveChangesAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;

        var forked = await _h.RefreshAsync(sibling);

        Assert.Equal(CoreErrors.SessionEndedCode, forked.Error?.Code);
        Assert.Equal(SessionEndReasons.RefreshTokenReuse, _h.SessionRow(first.SessionId)!.EndReason);
        Assert.Single(_h.AuditRows(AuditTypes.RefreshTokenReused), e => e.UserId == user.Id);
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(second.RefreshToken)).Error?.Code);
        Assert.Equal(1, _h.SessionRow(first.SessionId)!.Generation);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_all_get_the_same_successor_and_the_session_does_not_fork()
    {
        var (_, first) = await _h.SignedInUserAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _h.RefreshAsync(first.RefreshToken))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
        Assert.Single(results.Select(r => r.Value.RefreshToken).Distinct());
        Assert.Equal(1, _h.SessionRow(first.SessionId)!.Generation);
        Assert.Equal(2, _h.Database.Select<RefreshToken>(_h.Database.RefreshTokens).Count);
        foreach (var result in results)
        {
            Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(result.Value.AccessToken, AudiencePolicy.Any)).Status);
        }
    }

    [Fact]
    public async Task The_grace_includes_its_last_instant()
    {
        var (_, first) = await _h.SignedInUserAsync();
        await _h.RefreshAsync(first.RefreshToken);
        _h.Clock.Advance(_h.Options.Tokens.RefreshReuseGrace);

        Assert.True((await _h.RefreshAsync(first.RefreshToken)).Succeeded);
    }

    [Fact]
    public async Task A_reuse_a_millisecond_after_the_grace_ends_the_session()
    {
        var (_, first) = await _h.SignedInUserAsync();
        await _h.RefreshAsync(first.RefreshToken);
        _h.Clock.Advance(_h.Options.Tokens.RefreshReuseGrace + TimeSpan.FromMilliseconds(1));

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(first.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task A_token_older_than_the_immediately_previous_one_ends_the_session_even_within_the_grace()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;
        await _h.RefreshAsync(second.RefreshToken);
        _h.Clock.Advance(TimeSpan.FromSeconds(1));

        var reused = await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal(CoreErrors.SessionEndedCode, reused.Error?.Code);
        Assert.Equal(SessionEndReasons.RefreshTokenReuse, _h.SessionRow(first.SessionId)!.EndReason);
    }

    [Fact]
    public async Task A_refresh_that_loses_the_race_to_a_concurrent_one_gets_the_same_successor_instead_of_ending_the_session()
    {
        var (_, first) = await _h.SignedInUserAsync();
        TokenPair? concurrent = null;
        // The other request rotates the same token between this one's read and its write.
        _h.Rotations.BeforeWrite = async () => concurrent = (await _h.RefreshAsync(first.RefreshToken)).Value;

        var refreshed = await _h.RefreshAsync(first.RefreshToken);

        Assert.True(refreshed.Succeeded, refreshed.Error?.ToString());
        Assert.NotNull(concurrent);
        Assert.Equal(1, _h.Rotations.Refused);
        Assert.Equal(1, _h.SessionRow(first.SessionId)!.Generation);
        Assert.Equal(concurrent.RefreshToken, refreshed.Value.RefreshToken);
    }

    [Fact]
    public async Task A_refresh_supersedes_the_access_tokens_issued_before_it()
    {
        var (_, first) = await _h.SignedInUserAsync();

        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;

        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(first.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(second.AccessToken, AudiencePolicy.Any)).Status);
    }

    // Issue 20 changed this on purpose: each refresh of a non-rotating session used to supersede
    // the access tokens before it; several now live at once (a CLI and an agent share one token).
    [Fact]
    public async Task A_non_rotating_session_keeps_its_refresh_token_and_every_access_token_until_the_session_ends()
    {
        var client = await _h.CreateClientAsync("keeps-tokens", rotate: false);
        var (user, first) = await _h.SignedInUserAsync(client: client);

        var second = await _h.RefreshAsync(first.RefreshToken);
        var third = await _h.RefreshAsync(first.RefreshToken);

        Assert.Equal(first.RefreshToken, second.Value.RefreshToken);
        Assert.Equal(first.RefreshToken, third.Value.RefreshToken);
        Assert.Equal(0, _h.SessionRow(first.SessionId)!.Generation);
        Assert.Equal(0, _h.Rotations.Rotations);
        Assert.Single(_h.Database.Select<RefreshToken>(_h.Database.RefreshTokens));
        foreach (var access in new[] { first.AccessToken, second.Value.AccessToken, third.Value.AccessToken })
        {
            Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(access, AudiencePolicy.Any)).Status);
        }

        // Any one of them ends the session, and with it every other one.
        var claims = (await _h.AccessTokens.ReadAsync(second.Value.AccessToken)).Claims!;
        Assert.True((await _h.Sessions.EndSessionOfTokenAsync(claims, SessionEndReasons.SignOut, CoreHarness.Native)).Succeeded);
        foreach (var access in new[] { first.AccessToken, second.Value.AccessToken, third.Value.AccessToken })
        {
            Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(access, AudiencePolicy.Any)).Status);
        }
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(first.RefreshToken)).Error?.Code);
        Assert.Equal(user.Id, claims.Subject);
    }

    [Fact]
    public async Task A_non_rotating_session_still_ends_at_its_absolute_lifetime()
    {
        var client = await _h.CreateClientAsync("keeps-tokens", rotate: false, refreshSeconds: 3600);
        var (_, first) = await _h.SignedInUserAsync(client: client);
        _h.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True((await _h.RefreshAsync(first.RefreshToken)).Succeeded);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.RefreshAsync(first.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task Refreshing_never_extends_the_session_beyond_its_absolute_end()
    {
        var (_, first) = await _h.SignedInUserAsync();
        Assert.Equal(CoreHarness.Start + _h.Options.Tokens.RefreshTokenLifetime, first.RefreshTokenExpiresAt);
        _h.Clock.Advance(TimeSpan.FromDays(29));

        var late = (await _h.RefreshAsync(first.RefreshToken)).Value;
        Assert.Equal(first.RefreshTokenExpiresAt, late.RefreshTokenExpiresAt);
        _h.Clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.RefreshAsync(late.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task A_client_s_lifetimes_replace_the_defaults()
    {
        var client = await _h.CreateClientAsync("short", accessSeconds: 60, refreshSeconds: 600);
        var (_, pair) = await _h.SignedInUserAsync(client: client);

        Assert.Equal(CoreHarness.Start.AddSeconds(60), pair.AccessTokenExpiresAt);
        Assert.Equal(CoreHarness.Start.AddSeconds(600), pair.RefreshTokenExpiresAt);
        var refreshed = (await _h.RefreshAsync(pair.RefreshToken)).Value;
        Assert.Equal(CoreHarness.Start.AddSeconds(60), refreshed.AccessTokenExpiresAt);
        Assert.Equal("short", (await _h.AccessTokens.ReadAsync(refreshed.AccessToken)).Claims!.Audience);
    }

    [Fact]
    public async Task A_refresh_of_an_ended_session_is_refused()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        Assert.True((await _h.Sessions.EndAsync(pair.SessionId, SessionEndReasons.SignOut, CoreHarness.Native, ownerId: user.Id)).Succeeded);

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(pair.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task A_refresh_for_an_account_disabled_behind_the_session_s_back_ends_the_session()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => u.Status = UserStatus.Disabled);

        var refreshed = await _h.RefreshAsync(pair.RefreshToken);

        Assert.Equal(CoreErrors.AccountDisabledCode, refreshed.Error?.Code);
        Assert.Equal(SessionEndReasons.AccountDisabled, _h.SessionRow(pair.SessionId)!.EndReason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token-we-issued")]
    public async Task An_unknown_or_empty_refresh_token_is_invalid(string? token)
    {
        await _h.SignedInUserAsync();

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Sessions.RefreshAsync(token, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_refresh_token_longer_than_512_characters_is_invalid_without_a_lookup()
    {
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Sessions.RefreshAsync(new string('a', 513), CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_refresh_through_another_client_is_invalid_and_leaves_the_token_usable()
    {
        var client = await _h.CreateClientAsync("mine");
        var (_, pair) = await _h.SignedInUserAsync(client: client);

        var foreign = await _h.Sessions.RefreshAsync(pair.RefreshToken, CoreHarness.Native, clientId: "someone-else");

        Assert.Equal(CoreErrors.InvalidTokenCode, foreign.Error?.Code);
        Assert.True((await _h.Sessions.RefreshAsync(pair.RefreshToken, CoreHarness.Native, clientId: "mine")).Succeeded);
    }

    [Fact]
    public async Task A_refresh_bound_to_the_access_token_of_another_generation_is_invalid()
    {
        var (_, first) = await _h.SignedInUserAsync();
        var second = (await _h.RefreshAsync(first.RefreshToken)).Value;
        var staleClaims = (await _h.AccessTokens.ReadAsync(first.AccessToken)).Claims;

        var bound = await _h.Sessions.RefreshAsync(second.RefreshToken, CoreHarness.Native, boundTo: staleClaims);

        Assert.Equal(CoreErrors.InvalidTokenCode, bound.Error?.Code);
        var currentClaims = (await _h.AccessTokens.ReadAsync(second.AccessToken)).Claims;
        Assert.True((await _h.Sessions.RefreshAsync(second.RefreshToken, CoreHarness.Native, boundTo: currentClaims)).Succeeded);
    }

    [Fact]
    public async Task The_access_token_carries_the_user_s_roles_and_the_session_s_surface()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin], "usr_admin", CoreHarness.Native);

        var refreshed = (await _h.RefreshAsync(pair.RefreshToken)).Value;

        var claims = (await _h.AccessTokens.ReadAsync(refreshed.AccessToken)).Claims!;
        Assert.Equal([KnownRoles.Admin], claims.Roles);
        Assert.Equal(Surfaces.Native, claims.Surface);
        Assert.Equal(AccessTokenAudiences.FirstParty, claims.Audience);
        Assert.Equal(user.Id, claims.Subject);
    }

    [Fact]
    public async Task A_refresh_prepares_the_signing_key_before_it_writes()
    {
        var (_, pair) = await _h.SignedInUserAsync();

        await _h.RefreshAsync(pair.RefreshToken);

        Assert.Equal(1, _h.AccessTokens.Prepared);
    }
}
