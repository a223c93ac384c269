using AlertBot.Feeds.Parsing;

namespace AlertBot.Feeds.Tests.Parsing;

public sealed class FeedDatesTests
{
    [Theory]
    [InlineData("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 1 Jan 2004 19:48:21 +0100", "2004-01-01T18:48:21Z")]
    [InlineData("Thu, 01 Jan 04 19:48 EST", "2004-01-02T00:48:00Z")]
    [InlineData("01 January 2004 19:48:21 PDT", "2004-01-02T02:48:21Z")]
    [InlineData("Thu,01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z")]
    [InlineData("Thursday, 01-Jan-2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 +01:00", "2004-01-01T18:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 CEST", "2004-01-01T17:48:21Z")]
    [InlineData("Sat, 28 Sep 2002 21:00:02 Z", "2002-09-28T21:00:02Z")]
    [InlineData("2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z")]
    [InlineData("2003-12-31T10:14:55.123-05:00", "2003-12-31T15:14:55.123Z")]
    [InlineData("2003-12-31T10:14:55+0530", "2003-12-31T04:44:55Z")]
    [InlineData("2003-12-31 10:14:55", "2003-12-31T10:14:55Z")]
    [InlineData("20031231T101455Z", "2003-12-31T10:14:55Z")]
    [InlineData("2003-12-31", "2003-12-31T00:00:00Z")]
    [InlineData("2003-12-31T10:14Z", "2003-12-31T10:14:00Z")]
    [InlineData("2026-12-07T12:35:9+01:00", "2026-12-07T11:35:09Z")]
    [InlineData("2026-12-07T1:5:9Z", "2026-12-07T01:05:09Z")]
    [InlineData("Sun, 16 Dec 2012 1:2:3 GMT", "2012-12-16T01:02:03Z")]
    [InlineData("2003-12", "2003-12-01T00:00:00Z")]
    [InlineData("2003", "2003-01-01T00:00:00Z")]
    [InlineData("2003-335", "2003-12-01T00:00:00Z")]
    [InlineData("2004-060T10:00Z", "2004-02-29T10:00:00Z")]
    [InlineData("Sun Jan  4 16:29:06 PST 2004", "2004-01-05T00:29:06Z")]
    [InlineData("Sun Jan 4 16:29:06 2004", "2004-01-04T16:29:06Z")]
    [InlineData("Thu, Jan 01 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z")]
    public void Parses_real_world_dates(string text, string expectedUtc)
    {
        var parsed = FeedDates.Parse(text);

        Assert.NotNull(parsed);
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), parsed.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Thu, 31 Feb 2004 10:00:00 GMT")]
    [InlineData("2003-13-01T00:00:00Z")]
    [InlineData("2003-366")]
    [InlineData("2026-12-07T12:61:09Z")]
    public void Rejects_what_is_not_a_date(string text) => Assert.Null(FeedDates.Parse(text));
}
