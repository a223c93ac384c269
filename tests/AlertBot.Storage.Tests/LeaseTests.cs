using AlertBot.Core.Persistence;
using AlertBot.Storage.Leases;
using AlertBot.Storage.Postgres;
using Npgsql;

namespace AlertBot.Storage.Tests;

public sealed class InProcessLeaseTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_name_is_held_by_one_caller_until_its_lease_is_disposed()
    {
        var leases = new InProcessLeaseProvider();

        var first = await leases.TryAcquireAsync("telegram-poller", None);
        var second = await leases.TryAcquireAsync("telegram-poller", None);
        await using var other = await leases.TryAcquireAsync("discord-gateway", None);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(other);
        Assert.False(first.Lost.CanBeCanceled);

        await first.DisposeAsync();
        await first.DisposeAsync();
        await using var again = await leases.TryAcquireAsync("telegram-poller", None);
        Assert.Equal("telegram-poller", again?.Name);
        Assert.Null(await leases.TryAcquireAsync("telegram-poller", None));
    }
}

/// <summary>Leases as advisory locks: two providers are two instances, each with its own connections.</summary>
public sealed class PostgresLeaseTests() : StoreTests(new PostgresTestDatabase()), IUsesPostgres
{
    private PostgresTestDatabase Pg => (PostgresTestDatabase)Db;

    [StoreFact]
    public async Task A_lease_is_exclusive_across_instances_and_free_again_once_released()
    {
        await using var a = Pg.NewLeaseProvider();
        await using var b = Pg.NewLeaseProvider();

        var held = await a.TryAcquireAsync("telegram-poller", None);
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync("telegram-poller", None));
        Assert.Null(await a.TryAcquireAsync("telegram-poller", None));
        await using (var gateway = await b.TryAcquireAsync("discord-gateway", None))
        {
            Assert.NotNull(gateway);
        }

        await held.DisposeAsync();

        await using var taken = await b.TryAcquireAsync("telegram-poller", None);
        Assert.NotNull(taken);
        Assert.False(taken.Lost.IsCancellationRequested);
        Assert.Null(await a.TryAcquireAsync("telegram-poller", None));
    }

    [StoreFact]
    public async Task Only_one_of_many_instances_racing_for_a_lease_gets_it()
    {
        var providers = Enumerable.Range(0, 8).Select(_ => Pg.NewLeaseProvider()).ToList();
        try
        {
            var results = await Task.WhenAll(providers.Select(p => Task.Run(() => p.TryAcquireAsync("discord-gateway", None))));

            var winner = Assert.Single(results, r => r is not null);
            await winner!.DisposeAsync();
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }

    [StoreFact]
    public async Task Deployments_in_separate_schemas_of_one_database_have_separate_leases()
    {
        // This test's own schema is one deployment; a sibling schema (dropped below) is the other.
        var sibling = new NpgsqlConnectionStringBuilder(Db.ConnectionString);
        sibling.SearchPath += "_sibling";
        await Db.ExecuteAsync($"CREATE SCHEMA {sibling.SearchPath}");
        await using var a = Pg.NewLeaseProvider();
        await using var b = new PostgresLeaseProvider(sibling.ConnectionString);
        await using var alsoA = Pg.NewLeaseProvider();

        await using var heldByA = await a.TryAcquireAsync("telegram-poller", None);
        await using var heldByB = await b.TryAcquireAsync("telegram-poller", None);

        Assert.NotNull(heldByA);
        Assert.NotNull(heldByB);
        Assert.Null(await alsoA.TryAcquireAsync("telegram-poller", None));
        await Db.ExecuteAsync($"DROP SCHEMA {sibling.SearchPath}");
    }

    [StoreFact]
    public async Task A_lease_whose_session_dies_reports_itself_lost_and_another_instance_can_take_over()
    {
        await using var a = Pg.NewLeaseProvider(checkInterval: TimeSpan.FromMilliseconds(50));
        await using var b = Pg.NewLeaseProvider();
        await using var held = (await a.TryAcquireAsync("telegram-poller", None))!;
        var lost = new TaskCompletionSource();
        using var registration = held.Lost.Register(() => lost.TrySetResult());

        // The database ends the holder's session, as when its instance crashes or the network drops it.
        await Db.ExecuteAsync(
            """
            SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND a.application_name = current_setting('application_name')
            """);

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using var taken = await b.TryAcquireAsync("telegram-poller", None);
        Assert.NotNull(taken);
    }
}
