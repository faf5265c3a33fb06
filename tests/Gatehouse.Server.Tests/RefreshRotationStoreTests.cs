using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>
/// The refresh hot path's store, against the configured database (each test runs on SQLite and
/// on PostgreSQL): it reads a token, asks the core's plan, and applies the rotation the plan
/// returns only while its conditions hold.
/// </summary>
public sealed class RefreshRotationStoreTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private IRefreshRotationStore Store => factory.Services.GetRequiredService<IRefreshRotationStore>();

    [Fact]
    public async Task Two_rotations_of_one_token_asked_for_at_once_rotate_it_only_once()
    {
        var hash = await NewRefreshTokenHashAsync();

        var attempts = await Task.WhenAll(Store.RotateAsync(hash, AlwaysRotate(hash)), Store.RotateAsync(hash, AlwaysRotate(hash)));

        var winner = Assert.Single(attempts, a => a.Rotation is not null);
        Assert.All(attempts, a => Assert.NotNull(a.Snapshot));
        var consumed = await Store.FindAsync(hash);
        Assert.NotNull(consumed!.TokenConsumedAt);
        Assert.Equal(winner.Snapshot!.SessionGeneration + 1, consumed.SessionGeneration);
        var successor = await Store.FindAsync(winner.Rotation!.Successor.Hash);
        Assert.Null(successor!.TokenConsumedAt);
        Assert.Equal(consumed.SessionGeneration, successor.TokenGeneration);
    }

    [Fact]
    public async Task A_rotation_keeps_the_sealed_successor_on_the_consumed_token_only()
    {
        var hash = await NewRefreshTokenHashAsync();

        var attempt = await Store.RotateAsync(hash, AlwaysRotate(hash));

        using var scope = factory.Services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ISessionRepository>();
        Assert.Equal("sealed:" + hash, (await tokens.FindRefreshTokenAsync(hash))!.SealedSuccessor);
        Assert.Null((await tokens.FindRefreshTokenAsync(attempt.Rotation!.Successor.Hash))!.SealedSuccessor);
    }

    [Fact]
    public async Task The_snapshot_carries_the_refresh_rules_the_session_started_with()
    {
        var native = await Store.FindAsync(await NewRefreshTokenHashAsync());
        var keymetrics = await new Dialects.Keymetrics.KeymetricsClient(factory.CreateClient()).RegisterAsync();

        var registered = await Store.FindAsync(SecureTokens.Hash(keymetrics.RefreshToken));

        Assert.Equal(RefreshRules.TokenAlone, native!.RefreshRules);
        Assert.Equal(RefreshRules.AnyClientId, registered!.RefreshRules);
        Assert.False(registered.RotateRefreshTokens);
    }

    [Fact]
    public async Task A_plan_that_declines_leaves_the_token_and_its_session_as_they_were()
    {
        var hash = await NewRefreshTokenHashAsync();
        var before = await Store.FindAsync(hash);

        var attempt = await Store.RotateAsync(hash, _ => null);

        Assert.Null(attempt.Rotation);
        Assert.Equal(before, attempt.Snapshot);
        Assert.Equal(before, await Store.FindAsync(hash));
    }

    [Fact]
    public async Task An_unknown_token_is_reported_without_asking_the_plan()
    {
        var asked = false;

        var attempt = await Store.RotateAsync(SecureTokens.Hash(SecureTokens.New()), _ =>
        {
            asked = true;
            return null;
        });

        Assert.Null(attempt.Snapshot);
        Assert.Null(attempt.Rotation);
        Assert.False(asked);
    }

    [Fact]
    public async Task A_plan_that_throws_fails_only_its_own_request_and_writes_nothing()
    {
        var failing = await NewRefreshTokenHashAsync();
        var other = await NewRefreshTokenHashAsync();

        var failed = Store.RotateAsync(failing, _ => throw new InvalidOperationException("plan failed"));
        var rotated = Store.RotateAsync(other, AlwaysRotate(other));

        Assert.Equal("plan failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
        Assert.NotNull((await rotated).Rotation);
        Assert.Null((await Store.FindAsync(failing))!.TokenConsumedAt);
    }

    [Fact]
    public async Task A_rotation_whose_conditions_do_not_hold_fails_alone_and_the_rotations_asked_beside_it_are_written()
    {
        var stale = await NewRefreshTokenHashAsync();
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewRefreshTokenHashAsync()));
        var before = await Store.FindAsync(stale);
        // A store that writes in batches (SQLite) gathers what is asked while it is busy: this
        // plan holds it, so the rotations below are written in one turn.
        var blocker = await NewRefreshTokenHashAsync();
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Store.RotateAsync(blocker, _ =>
        {
            holding.TrySetResult();
            Thread.Sleep(200);
            return null;
        });
        await holding.Task;

        // The stale plan expects a session generation the session no longer has.
        var staleAttempt = Store.RotateAsync(stale, found => AlwaysRotate(stale)(found with { SessionGeneration = found.SessionGeneration - 1 }));
        var attempts = await Task.WhenAll(others.Select(hash => Store.RotateAsync(hash, AlwaysRotate(hash))));

        await held;
        Assert.Null((await staleAttempt).Rotation);
        Assert.Equal(before, await Store.FindAsync(stale));
        Assert.All(attempts, a => Assert.NotNull(a.Rotation));
        foreach (var (hash, attempt) in others.Zip(attempts))
        {
            Assert.NotNull((await Store.FindAsync(hash))!.TokenConsumedAt);
            Assert.NotNull(await Store.FindAsync(attempt.Rotation!.Successor.Hash));
        }
    }

    private async Task<string> NewRefreshTokenHashAsync()
    {
        var email = Emails.New();
        var native = factory.Native();
        await native.RegisterAsync(email);
        return SecureTokens.Hash((await native.SignInAsync(email)).RefreshToken);
    }

    /// <summary>A plan that rotates whatever it finds (the core's plan checks the token's state first).</summary>
    private static Func<RefreshSnapshot, RefreshRotation?> AlwaysRotate(string hash) => found =>
    {
        var now = DateTimeOffset.UtcNow;
        return new RefreshRotation(hash, found.SessionId, found.SessionGeneration, now, new RefreshToken
        {
            Hash = SecureTokens.Hash(SecureTokens.New()),
            SessionId = found.SessionId,
            Generation = found.SessionGeneration + 1,
            CreatedAt = now,
            ExpiresAt = found.SessionExpiresAt,
        }, SealedSuccessor: "sealed:" + hash);
    };
}
