using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>
/// The fakes' own promises, the ones the use-case tests lean on: if one broke, those tests
/// would pass for the wrong reason.
/// </summary>
public sealed class FakesTests
{
    private readonly CoreHarness _h = new();

    private static User NewUser(string email, string? username = null) => new()
    {
        Id = SecureTokens.NewId("usr"), Email = email, NormalizedEmail = Normalizer.Email(email),
        Username = username, NormalizedUsername = username is null ? null : Normalizer.Username(username),
    };

    private async Task<User> SavedUserAsync(string email = "ada@example.com", string? username = null)
    {
        var scope = _h.Scope();
        var user = NewUser(email, username);
        scope.Users.Add(user);
        Assert.Equal(SaveOutcome.Saved, (await scope.UnitOfWork.SaveChangesAsync()).Outcome);
        return user;
    }

    [Fact]
    public async Task A_change_to_a_row_read_is_lost_without_a_save()
    {
        var user = await SavedUserAsync();
        var scope = _h.Scope();

        (await scope.Users.FindByIdAsync(user.Id))!.FirstName = "Ada";

        Assert.Null(_h.UserRow(user.Id)!.FirstName);
        await scope.UnitOfWork.SaveChangesAsync();
        Assert.Equal("Ada", _h.UserRow(user.Id)!.FirstName);
    }

    [Fact]
    public async Task A_row_read_twice_in_one_scope_is_one_object_and_in_two_scopes_two()
    {
        var user = await SavedUserAsync();
        var scope = _h.Scope();

        Assert.Same(await scope.Users.FindByIdAsync(user.Id), await scope.Users.FindByEmailAsync("ADA@EXAMPLE.COM"));
        Assert.NotSame(await scope.Users.FindByIdAsync(user.Id), await _h.Scope().Users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task A_save_writes_only_the_changed_columns()
    {
        var user = await SavedUserAsync();
        var first = _h.Scope();
        var second = _h.Scope();
        var a = (await first.Users.FindByIdAsync(user.Id))!;
        var b = (await second.Users.FindByIdAsync(user.Id))!;

        a.FirstName = "Ada";
        b.LastName = "Lovelace";
        await first.UnitOfWork.SaveChangesAsync();
        await second.UnitOfWork.SaveChangesAsync();

        Assert.Equal(("Ada", "Lovelace"), (_h.UserRow(user.Id)!.FirstName, _h.UserRow(user.Id)!.LastName));
    }

    [Fact]
    public async Task Added_rows_are_numbered_by_the_database_at_the_save()
    {
        var first = await SavedUserAsync("a@example.com");
        var second = await SavedUserAsync("b@example.com");

        Assert.Equal((1, 2), (first.Number, second.Number));
    }

    [Theory]
    [InlineData("ADA@example.com", null, "ux_users_normalized_email")]
    [InlineData("other@example.com", "ADA", "ux_users_normalized_username")]
    public async Task A_save_refused_by_a_unique_index_names_it_and_writes_nothing(string email, string? username, string index)
    {
        await SavedUserAsync("ada@example.com", "ada");
        var scope = _h.Scope();
        scope.Users.Add(NewUser(email, username));
        scope.Audit.Add(new Gatehouse.Core.Audit.AuditEvent { Type = "test" });

        var saved = await scope.UnitOfWork.SaveChangesAsync();

        Assert.Equal(new SaveResult(SaveOutcome.UniqueViolation, index), saved);
        Assert.Single(_h.Database.Select<User>(_h.Database.Users));
        Assert.Empty(_h.AuditRows());
    }

    [Fact]
    public async Task After_a_refused_save_the_changes_stay_pending_until_reset()
    {
        await SavedUserAsync("ada@example.com");
        var scope = _h.Scope();
        scope.Users.Add(NewUser("ada@example.com"));
        await scope.UnitOfWork.SaveChangesAsync();

        Assert.Equal(SaveOutcome.UniqueViolation, (await scope.UnitOfWork.SaveChangesAsync()).Outcome);
        scope.UnitOfWork.Reset();
        Assert.Equal(SaveOutcome.Saved, (await scope.UnitOfWork.SaveChangesAsync()).Outcome);
        Assert.Single(_h.Database.Select<User>(_h.Database.Users));
    }

    [Fact]
    public async Task A_client_id_is_unique()
    {
        await _h.CreateClientAsync("app");
        var scope = _h.Scope();
        scope.Clients.Add(new Gatehouse.Core.Clients.Client { ClientId = "app" });

        Assert.Equal(new SaveResult(SaveOutcome.UniqueViolation, "clients.client_id"), await scope.UnitOfWork.SaveChangesAsync());
    }

    [Fact]
    public async Task A_transaction_disposed_without_a_commit_undoes_its_saves_and_immediate_writes()
    {
        var (user, pair) = await _h.SignedInUserAsync();
        var scope = _h.Scope();

        await using (await scope.UnitOfWork.BeginTransactionAsync())
        {
            (await scope.Users.FindByIdAsync(user.Id))!.FirstName = "Ada";
            await scope.UnitOfWork.SaveChangesAsync();
            await scope.SessionStore.EndAllAsync(user.Id, _h.Clock.GetUtcNow(), "test", null);
        }

        Assert.Null(_h.UserRow(user.Id)!.FirstName);
        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task A_transaction_begun_inside_another_is_undone_with_the_outer_one()
    {
        var user = await SavedUserAsync();
        var scope = _h.Scope();

        await using (var outer = await scope.UnitOfWork.BeginTransactionAsync())
        {
            await using (var inner = await scope.UnitOfWork.BeginTransactionAsync())
            {
                (await scope.Users.FindByIdAsync(user.Id))!.FirstName = "Ada";
                await scope.UnitOfWork.SaveChangesAsync();
                await inner.CommitAsync();
            }
            Assert.True(scope.UnitOfWork.InTransaction);
        }

        Assert.Null(_h.UserRow(user.Id)!.FirstName);
    }

    [Fact]
    public async Task A_rotation_is_refused_whole_when_the_session_moved_on()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        var hash = SecureTokens.Hash(pair.RefreshToken);
        var successor = new RefreshToken { Hash = SecureTokens.Hash("successor"), SessionId = pair.SessionId, Generation = 1, ExpiresAt = pair.RefreshTokenExpiresAt };
        await _h.Database.ChangeAsync<Session>(_h.Database.Sessions, pair.SessionId, s => s.Generation = 5);

        var attempt = await _h.Rotations.RotateAsync(hash, found => new RefreshRotation(hash, found.SessionId, 0, _h.Clock.GetUtcNow(), successor, SealedSuccessor: null));

        Assert.Null(attempt.Rotation);
        Assert.NotNull(attempt.Snapshot);
        Assert.Null(_h.Database.Get<RefreshToken>(_h.Database.RefreshTokens, hash)!.ConsumedAt);
        Assert.Null(_h.Database.Get<RefreshToken>(_h.Database.RefreshTokens, successor.Hash));
    }

    [Fact]
    public async Task A_rotation_is_refused_whole_when_the_token_was_consumed_or_the_session_ended()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        var hash = SecureTokens.Hash(pair.RefreshToken);
        RefreshRotation Plan(RefreshSnapshot found) => new(hash, found.SessionId, found.SessionGeneration, _h.Clock.GetUtcNow(),
            new RefreshToken { Hash = SecureTokens.Hash(SecureTokens.New()), SessionId = found.SessionId, Generation = found.SessionGeneration + 1 }, SealedSuccessor: null);

        await _h.Database.ChangeAsync<RefreshToken>(_h.Database.RefreshTokens, hash, t => t.ConsumedAt = _h.Clock.GetUtcNow());
        var consumed = await _h.Rotations.RotateAsync(hash, Plan);
        await _h.Database.ChangeAsync<RefreshToken>(_h.Database.RefreshTokens, hash, t => t.ConsumedAt = null);
        await _h.Database.ChangeAsync<Session>(_h.Database.Sessions, pair.SessionId, s => s.EndedAt = _h.Clock.GetUtcNow());
        var ended = await _h.Rotations.RotateAsync(hash, Plan);

        Assert.Null(consumed.Rotation);
        Assert.Null(ended.Rotation);
        Assert.Equal(0, _h.SessionRow(pair.SessionId)!.Generation);
        Assert.Single(_h.Database.Select<RefreshToken>(_h.Database.RefreshTokens));
    }

    [Fact]
    public async Task An_unknown_token_has_no_snapshot_and_the_plan_is_not_asked()
    {
        var asked = false;

        var attempt = await _h.Rotations.RotateAsync("unknown", _ => { asked = true; return null; });

        Assert.Equal(default, attempt);
        Assert.False(asked);
    }

    [Fact]
    public async Task The_fake_access_token_service_refuses_a_token_changed_after_issue()
    {
        var (_, pair) = await _h.SignedInUserAsync();
        var parts = pair.AccessToken.Split('.');
        var tampered = string.Join('.', parts[0], parts[1] + "A", parts[2]);

        Assert.Equal(Gatehouse.Core.Tokens.AccessTokenStatus.Valid, (await _h.AccessTokens.ReadAsync(pair.AccessToken)).Status);
        Assert.Equal(Gatehouse.Core.Tokens.AccessTokenStatus.Invalid, (await _h.AccessTokens.ReadAsync(tampered)).Status);
        Assert.Equal(Gatehouse.Core.Tokens.AccessTokenStatus.Invalid, (await new FakeAccessTokenService(_h.Clock).ReadAsync(pair.AccessToken)).Status);
    }

    [Fact]
    public void The_clock_stands_still_unless_a_test_moves_it()
    {
        Assert.Equal(TimeSpan.Zero, _h.Clock.AutoAdvanceAmount);
        Assert.Equal(CoreHarness.Start, _h.Clock.GetUtcNow());
        Assert.Equal(CoreHarness.Start, _h.Clock.GetUtcNow());
    }
}
