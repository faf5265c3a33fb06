using Gatehouse.Core.Security;

namespace Gatehouse.Core.Tests.Security;

/// <summary>The hashing threads are shared by the whole process, so these run alone.</summary>
[CollectionDefinition(nameof(HashingThreadsTests), DisableParallelization = true)]
public sealed class HashingThreadsCollection;

[Collection(nameof(HashingThreadsTests))]
public sealed class HashingThreadsTests
{
    [Fact]
    public async Task A_hash_cancelled_while_it_waits_for_a_thread_leaves_at_once_and_is_never_computed()
    {
        // Enough slow hashes to keep every hashing thread busy for a while.
        var slow = TestHashers.Fast(memoryKiB: 16 * 1024, iterations: 3);
        var busy = Enumerable.Range(0, Environment.ProcessorCount * 3)
            .Select(i => slow.HashAsync($"busy {i}").AsTask())
            .ToList();
        var computed = false;
        using var cancellation = new CancellationTokenSource();

        var waiting = HashingThreads.RunAsync(() => computed = true, concurrency: 1, cancellation.Token);
        await cancellation.CancelAsync();

        Assert.True(waiting.IsCanceled);
        Assert.Contains(busy, hash => !hash.IsCompleted);
        await Task.WhenAll(busy);
        // Everything queued after the cancelled hash has run, so it has been taken off the queue.
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount * 2)
            .Select(_ => HashingThreads.RunAsync(() => 0, concurrency: 1, CancellationToken.None)));
        Assert.False(computed);
    }

    [Fact]
    public async Task A_hashing_thread_frees_its_Argon2_memory_once_no_hash_has_come_for_a_while()
    {
        var usual = HashingThreads.IdleRelease;
        HashingThreads.IdleRelease = TimeSpan.FromMilliseconds(200);
        try
        {
            await TestHashers.Fast().HashAsync("a password to fill a block");

            // A thread that was already waiting under the usual delay frees its block when that
            // wait ends, so allow for it.
            var deadline = DateTime.UtcNow + usual + TimeSpan.FromSeconds(5);
            while (Argon2Memory.KeptBytes > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(0, Argon2Memory.KeptBytes);
        }
        finally
        {
            HashingThreads.IdleRelease = usual;
        }
    }
}
