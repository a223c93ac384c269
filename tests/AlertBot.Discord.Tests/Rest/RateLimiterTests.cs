using System.Net;
using AlertBot.Discord.Rest;
using Microsoft.Extensions.Time.Testing;

namespace AlertBot.Discord.Tests.Rest;

public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private static HttpResponseMessage Response(HttpStatusCode status, string? bucket, int? remaining, double? resetAfter)
    {
        var response = new HttpResponseMessage(status);
        if (bucket is not null)
        {
            response.Headers.Add("X-RateLimit-Bucket", bucket);
        }

        if (remaining is not null)
        {
            response.Headers.Add("X-RateLimit-Remaining", remaining.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (resetAfter is not null)
        {
            response.Headers.Add("X-RateLimit-Reset-After", resetAfter.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    [Fact]
    public async Task A_spent_bucket_holds_the_next_request_until_reset_after_has_passed()
    {
        using var limiter = new DiscordRateLimiter(50, _time);
        var route = DiscordRoute.CreateMessage("1");
        using (var lease = await limiter.AcquireAsync(route, CancellationToken.None))
        {
            using var response = Response(HttpStatusCode.OK, "hash-a", remaining: 0, resetAfter: 2.5);
            lease.Complete(response, null);
        }

        var next = limiter.AcquireAsync(route, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2.4));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Another_channel_is_another_bucket_and_is_not_held()
    {
        using var limiter = new DiscordRateLimiter(50, _time);
        using (var lease = await limiter.AcquireAsync(DiscordRoute.CreateMessage("1"), CancellationToken.None))
        {
            using var response = Response(HttpStatusCode.OK, "hash-a", remaining: 0, resetAfter: 5);
            lease.Complete(response, null);
        }

        var other = limiter.AcquireAsync(DiscordRoute.CreateMessage("2"), CancellationToken.None);

        Assert.True(other.IsCompleted);
        (await other).Dispose();
    }

    [Fact]
    public async Task A_global_429_holds_every_route_that_counts_but_not_interaction_replies()
    {
        using var limiter = new DiscordRateLimiter(50, _time);
        using (var lease = await limiter.AcquireAsync(DiscordRoute.CreateMessage("1"), CancellationToken.None))
        {
            using var response = new HttpResponseMessage((HttpStatusCode)429);
            response.Headers.Add("X-RateLimit-Global", "true");
            var info = lease.Complete(response, """{"message":"You are being rate limited.","retry_after":1.5,"global":true}""");
            Assert.True(info.IsGlobal);
            Assert.Equal(TimeSpan.FromSeconds(1.5), info.RetryAfter);
        }

        var message = limiter.AcquireAsync(DiscordRoute.CreateMessage("2"), CancellationToken.None);
        var callback = limiter.AcquireAsync(DiscordRoute.InteractionCallback("9", "t"), CancellationToken.None);
        Assert.True(callback.IsCompleted);
        (await callback).Dispose();
        Assert.False(message.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        (await message.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task The_global_window_admits_n_requests_then_waits_for_the_window_after_the_first_finished()
    {
        using var limiter = new DiscordRateLimiter(3, _time);
        for (var i = 0; i < 3; i++)
        {
            (await limiter.AcquireAsync(DiscordRoute.CreateMessage($"{i}"), CancellationToken.None)).Dispose();
        }

        var fourth = limiter.AcquireAsync(DiscordRoute.CreateMessage("9"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(fourth.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Once_discord_names_the_bucket_the_route_is_keyed_by_its_hash_and_keeps_its_state()
    {
        using var limiter = new DiscordRateLimiter(50, _time);
        var global = DiscordRoute.BulkOverwriteCommands("7", guildId: null);
        using (var lease = await limiter.AcquireAsync(global, CancellationToken.None))
        {
            using var response = Response(HttpStatusCode.OK, "shared-hash", remaining: 1, resetAfter: 10);
            lease.Complete(response, null);
        }

        // Same template and major parameter: now keyed by the hash, which says one request is left.
        using (var lease = await limiter.AcquireAsync(global, CancellationToken.None))
        {
            using var response = Response(HttpStatusCode.OK, "shared-hash", remaining: 0, resetAfter: 10);
            lease.Complete(response, null);
        }

        var third = limiter.AcquireAsync(global, CancellationToken.None);
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(10));
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Buckets_left_idle_are_dropped_so_per_interaction_buckets_do_not_pile_up()
    {
        using var limiter = new DiscordRateLimiter(50, _time);
        for (var i = 0; i < 20; i++)
        {
            (await limiter.AcquireAsync(DiscordRoute.InteractionCallback($"{i}", "token"), CancellationToken.None)).Dispose();
        }

        Assert.Equal(20, limiter.BucketCount);
        _time.Advance(TimeSpan.FromMinutes(11));
        (await limiter.AcquireAsync(DiscordRoute.CreateMessage("1"), CancellationToken.None)).Dispose();

        Assert.Equal(1, limiter.BucketCount);
    }
}
