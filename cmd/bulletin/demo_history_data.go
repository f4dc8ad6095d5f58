package main

// demoHistoryText is the demo's past: the items of the twenty issues sent
// before the demo starts, oldest first. All of it is made up for the demo
// (people, places and links at the RFC 2606 example domains).
//
// Format: a line "==" starts the next issue; each other line is one item,
// five fields split by " | ":
//
//	section | title | body (Markdown) | url | source
//
// section is budgets, events or news (the slugs demoSections creates), "-"
// for an item outside the sections, or "lastly" for the closing item, whose
// title follows "Lastly, ". An item with no body is a link in a round-up.
const demoHistoryText = `
==
budgets | Ward budgets: the new year's rules are out | Each ward keeps the same pot as last year. Ideas must be **free to use** and open to everyone. | https://example.org/budgets/rules | Participation Team
events | Midsummer picnic on the meadow | Bring a blanket and something to share. The brass band plays from 14:00, weather permitting. | https://example.org/events/picnic | Meadow Friends
news | Riverside swimming pool reopens after its new roof | | https://news.example.com/pool-roof | Evening Courier
news | How the old gasworks became a skate park | | https://radio.example.net/gasworks-skatepark | Local Radio Online
- | Lost: a green umbrella with a duck handle | Left on the number 12 bus on Friday. The owner misses it more than is reasonable. | | Reception desk
lastly | the allotment's first courgette weighed in at 1.2 kg | Nobody knows what to do with it. Recipes welcome at the shed. | | Allotment society
==
budgets | Shortlist for the play park vote | Five designs for the Elm Park play area are on display in the library until the end of the month. | https://example.org/budgets/play-park | Participation Team
events | Open studios weekend | Twenty local artists open their doors: painting, pottery, printmaking and one very patient glassblower. | https://example.org/events/open-studios | Arts Trail volunteers
events | Free bike check at the market | Bring your bike on Saturday morning for a safety check, new brake pads and a chat about routes. | | Pedal Power
news | Flood defences on the east bank finished early | | https://news.example.com/flood-defences | Borough News
news | A hundred years of the Mill Lane bakery | | https://news.example.com/bakery-centenary | Riverside Gazette
lastly | a heron has taken up residence by the lock | It stands very still and judges the anglers. Please do not feed it chips. | | Canal Friends
==
budgets | What a street party costs, line by line | We asked three organisers to share their receipts. The biggest item was, surprisingly, gazebos. | https://example.org/budgets/street-party | By Hannah Okoro
events | Storytelling under the oak tree | Tales for children aged four to nine, every Wednesday at 10:30 during the school holidays. | https://example.org/events/oak-stories | Library volunteers
news | Council agrees to plant 400 street trees | | https://news.example.com/street-trees | Evening Courier
news | Why the 41 bus keeps running late | | https://transit.example.org/route-41-delays | Transit Weekly
news | Podcast: the women who saved the lido | | https://radio.example.net/lido-campaign | Local Radio Online
lastly | the community fridge received eleven jars of gooseberry jam | All on the same day, from different people. It was a very good year for gooseberries. | | Community fridge team
==
budgets | Tool library asks for a second shed | The first one is full. A bid for a bigger shed and two more drills goes to the ward forum next week. | https://example.org/budgets/tool-library | Tool library
events | Litter pick along the towpath | Gloves, grabbers and bags provided. Meet at the footbridge at 09:30; we finish with tea. | https://example.org/events/litter-pick | Canal Friends
events | Youth council elections: candidates wanted | Anyone aged 11 to 18 who lives or studies here can stand. Nominations close in two weeks. | https://example.org/youth-council | Youth service
news | Survey finds most residents want a weekly market | | https://news.example.com/market-survey | Borough News
news | Inside the volunteer-run cinema in the old chapel | | https://news.example.com/chapel-cinema | Riverside Gazette
lastly | the mystery of the missing ping-pong balls is solved | A fox. Footage from the youth centre's doorbell camera leaves no doubt. | | Youth centre staff
==
budgets | Results: the play park vote | Design C, with the rope bridge and the sand pit, won with 612 votes. Building starts in spring. | https://example.org/budgets/play-park-result | Participation Team
events | Harvest supper at St Anne's hall | Three courses for a fiver, cooked by the community kitchen. Vegetarian and gluten-free options. | https://example.org/events/harvest-supper | Community kitchen
news | New cycle lane on the high street divides opinion | | https://news.example.com/high-street-lane | Evening Courier
news | Map: every public drinking fountain in the borough | | https://maps.example.net/fountains | Open Data Club
- | The library now lends telescopes | Three small telescopes can be borrowed for a week with a library card. Cloudy nights not included. | https://example.org/library/telescopes | Library team
lastly | someone knitted a scarf for the statue in Market Square | It is orange. It suits him. | | By Marek Zieliński
==
budgets | Beekeepers ask for hives on the library roof | Two hives, looked after by the beekeeping club, with honey sold for the food bank. Ideas like this are welcome in the next round. | https://example.org/budgets/rooftop-bees | Beekeeping club
events | Family swim sessions return | Saturday mornings from 08:00, with floats, a slide and lifeguards who have seen everything. | https://example.org/events/family-swim | Swimming club
news | Residents' group wins a say over the riverside path | | https://news.example.com/riverside-path | Borough News
news | A short history of the market bell | | https://radio.example.net/market-bell | Local Radio Online
news | Volunteer drivers needed for hospital trips | | https://news.example.com/volunteer-drivers | Riverside Gazette
lastly | a swarm of bees spent an afternoon on the post box | The postman waited. The bees left. The letters went out at five. | | Beekeeping club
==
budgets | How to write a budget idea in five sentences | What the problem is, who it helps, what it costs, who will look after it, and how we will know it worked. | https://example.org/budgets/how-to | Participation Team
events | Seed swap at the community garden | Bring seeds in labelled envelopes and take home something new. Tomato growers will be there to argue. | https://example.org/events/seed-swap | Community garden
events | Choir open rehearsal | The Riverside Singers welcome new voices on Monday at 19:30. No auditions, no reading music needed. | | Riverside Singers
news | The heat pump street: one year on | | https://news.example.com/heat-pump-street | Borough News
news | Recycling collections move to Thursdays | | https://news.example.com/recycling-thursdays | Riverside Gazette
lastly | the pub quiz team finally won | After forty-one weeks. The winning answer was "Belgium". | | By Farah Siddiqui
==
budgets | Last year's projects: where are they now? | The tool library has 300 members and the school gardens grew 90 kg of vegetables. The bench on Mill Lane is still a bench. | https://example.org/budgets/one-year-on | Participation Team
events | Hedgehog-friendly gardens talk | The wildlife trust explains hedgehog highways: a hole the size of a CD in the bottom of your fence. | https://example.org/events/hedgehogs | Wildlife trust
news | Parents campaign for a crossing outside the primary school | | https://news.example.com/school-crossing | Evening Courier
news | The last working printer on Canal Street | | https://radio.example.net/letterpress | Local Radio Online
- | Community hall bookings now online | Rooms can be booked through the hall's website instead of the paper diary, which retires with honours. | https://example.org/hall/bookings | Hall committee
lastly | the hall's paper diary has been framed | It hangs by the kitchen door, coffee rings and all. | | Hall committee
==
budgets | Ideas week: drop-in sessions at the library | Not sure your idea fits? Staff will help you shape it on Tuesday and Thursday afternoons. | https://example.org/budgets/drop-in | Participation Team
events | Apple pressing day at the orchard | Bring windfalls and bottles. The old press needs four people to turn it, so bring friends too. | https://example.org/events/apple-pressing | Orchard group
events | Beginners' pottery, six Saturdays | Throw a bowl, glaze a mug, break a plate on purpose. Places are free for residents on benefits. | https://example.org/events/pottery | Clay Corner
news | Potholes: the borough's repair map explained | | https://news.example.com/pothole-map | Borough News
news | Meet the lollipop lady who has worked here for thirty years | | https://news.example.com/lollipop-lady | Riverside Gazette
lastly | the orchard's oldest tree produced exactly one pear | It was shared between nine people. Reviews were mixed. | | Orchard group
==
budgets | Budget ideas: the first hundred are in | So far: benches, bike racks, a climbing wall, a repair café kit, and a surprising number of ponds. | https://example.org/budgets/first-hundred | Participation Team
events | Jazz in the bandstand, last one of the season | The Canal Street Quartet plays standards and a new piece about the lock keeper. | https://example.org/events/bandstand-jazz | Parks team
news | Street lights switch to warmer LEDs | | https://news.example.com/warm-leds | Evening Courier
news | Interview: the youngest member of the ward forum | | https://radio.example.net/youngest-member | Local Radio Online
news | Five walks within a mile of the station | | https://walks.example.org/station-five | Ramblers' blog
lastly | a tortoise was returned to the pet shop for the third time | He is not lost. He simply prefers the pet shop. | | Pet shop on Bridge Street
==
budgets | Forum meeting: ideas grouped into themes | Green spaces, getting around, and things for young people came out on top. The notes are online. | https://example.org/budgets/themes | By Priya Natarajan, ward forum chair
events | Food bank collection at the supermarket | Volunteers needed for two-hour shifts on Friday and Saturday. Tins, toiletries and nappies most wanted. | https://example.org/events/food-bank | Food bank
events | Family football tournament | Teams of five, any age mix, at least one grown-up. Trophies made by the pottery class. | https://example.org/events/football | Sports club
news | Tennis courts to be resurfaced and made free | | https://news.example.com/tennis-courts | Borough News
news | Why the swifts did not come back this year | | https://news.example.com/swifts | Riverside Gazette
lastly | the pottery class's trophies are mostly in one piece | One handle is glued. Nobody saw anything. | | Clay Corner
==
budgets | Costing help for budget ideas | A retired quantity surveyor has offered to price any idea for free. Book a half-hour slot through the library. | https://example.org/budgets/costing | Participation Team
events | Mural painting on the underpass | The design was chosen by the primary school. Anyone can help with the background colours this weekend. | https://example.org/events/mural | Arts Trail volunteers
news | Parking permits to go digital | | https://news.example.com/digital-permits | Evening Courier
news | A walk along the buried river | | https://radio.example.net/buried-river | Local Radio Online
- | Found: a set of keys with a lighthouse keyring | Handed in at the hall. Describe the other keyring to claim them. | | Hall committee
lastly | the underpass mural now has a heron in it | Canal Friends insisted. It looks suitably judgemental. | | Arts Trail volunteers
==
budgets | Budget ideas close in one week | Ideas sent after the deadline go into next year's round, not the bin. | https://example.org/budgets/deadline | Participation Team
events | Autumn clear-up at the community garden | Leaves into the leaf bins, tools oiled, bulbs planted. Soup at one o'clock. | https://example.org/events/garden-clear-up | Community garden
events | Quiz night for the hospice | Teams of up to six. The pub quiz champions are barred from the music round. | https://example.org/events/hospice-quiz | Hospice shop
news | New health centre opens on the estate | | https://news.example.com/health-centre | Borough News
news | Photos: fifty years of the Riverside carnival | | https://photos.example.net/carnival-fifty | Riverside Gazette
lastly | the leaf bins are full already | Please keep your leaves for a week. They make excellent mulch. | | Community garden
==
budgets | 214 ideas received: thank you | That is a record. The forum sorts them over the next month; every author gets a reply. | https://example.org/budgets/record | Participation Team
events | Bonfire and fireworks at the rugby club | Gates open at 17:30, fireworks at 19:00. Sparklers only in the marked area. | https://example.org/events/fireworks | Rugby club
news | Bus route 41 gets a Sunday service | | https://transit.example.org/route-41-sundays | Transit Weekly
news | The fight over the riverside flats, explained | | https://news.example.com/riverside-flats | Evening Courier
- | Warm spaces open for the winter | The library, St Anne's hall and the youth centre offer a warm room, hot drinks and wifi on weekday afternoons. | https://example.org/warm-spaces | Borough council
lastly | the rugby club's dog slept through the entire fireworks display | He woke up for the sausages. | | Rugby club
==
budgets | How the forum will pick the shortlist | Each idea is scored on need, reach, cost and care. Scores and reasons are published. | https://example.org/budgets/scoring | By Priya Natarajan, ward forum chair
events | Remembrance service at the war memorial | The service starts at 10:45. The road is closed from 10:30 to 11:30. | | Borough council
events | Repair café: winter coats and zips | Fixers with sewing machines will be in the library on Saturday from 10:00. | https://example.org/events/repair-cafe-coats | Library volunteers
news | Borough sets out its climate plan | | https://news.example.com/climate-plan | Borough News
news | The retired teacher who maps every bench | | https://radio.example.net/bench-map | Local Radio Online
lastly | the bench map now lists 1,148 benches | Its author has sat on most of them. | | Open Data Club
==
budgets | First ideas reach the shortlist | A climbing wall, a community minibus and a pond for the primary school are among the first twelve. | https://example.org/budgets/shortlist-one | Participation Team
events | Winter market in Market Square | Crafts, cheese and a mulled apple stall every Saturday until the new year. | https://example.org/events/winter-market | Market traders
events | Carol singing rehearsals begin | The Riverside Singers need altos. They always need altos. | | Riverside Singers
news | Library extends its opening hours | | https://news.example.com/library-hours | Riverside Gazette
news | Frost warning: how to protect outdoor taps | | https://news.example.com/frost-taps | Evening Courier
lastly | an alto has joined the choir | Just one. The choir is cautiously optimistic. | | Riverside Singers
==
budgets | Shortlist complete: 24 ideas go to the vote | Voting opens in the new year, online and on paper. Anyone over 11 who lives here can vote. | https://example.org/budgets/shortlist | Participation Team
events | Volunteer thank-you evening | Food, music and badges for everyone who helped this year. Please tell us you are coming. | https://example.org/events/thank-you | Volunteer centre
news | Flood warning system gets text alerts | | https://news.example.com/flood-texts | Borough News
news | Ten years of the community fridge | | https://radio.example.net/fridge-ten | Local Radio Online
news | Where to recycle old electricals | | https://news.example.com/electricals | Riverside Gazette
lastly | the community fridge's birthday cake did not last ten minutes | It was, fittingly, a fridge cake. | | Community fridge team
==
budgets | Vote counting: volunteers wanted | Two evenings in the new year. Counting goes faster with biscuits, which are provided. | https://example.org/budgets/counting | Participation Team
events | Lantern making workshop | Willow, tissue paper and glue at the community hall. Lanterns come home with you. | https://example.org/events/lanterns | Canal Friends
events | Chess club simultaneous display | The club's strongest player takes on twenty boards at once. Bring your own thermos. | | Chess club
news | Canal towpath to be lit at night | | https://news.example.com/towpath-lights | Evening Courier
news | The baker, the florist and the shop that shares a till | | https://news.example.com/shared-till | Riverside Gazette
lastly | the chess champion lost one game, to a nine-year-old | She has asked for a rematch on more boards. | | Chess club
==
budgets | What happens to ideas that were not shortlisted | Many go to other funds; the forum has matched 30 of them with a grant or a sponsor already. | https://example.org/budgets/other-funds | Participation Team
events | Swimming gala at the reopened pool | Heats for every age, a relay for the ward councillors, and inflatables at the end. | https://example.org/events/swimming-gala | Swimming club
news | Borough wins award for its parks | | https://news.example.com/parks-award | Borough News
news | Night shift: a week with the hospital porters | | https://radio.example.net/porters | Local Radio Online
- | Meeting notes in large print and audio | Every forum meeting's notes are now also published in large print and as a recording. | https://example.org/forum/accessible-notes | Participation Team
lastly | the councillors' relay team came last | By some distance. They have started training on Thursdays. | | Swimming club
==
budgets | Voting guide posted to every home | Each household gets a paper guide with the 24 ideas, their costs and a map. Extra copies in the library. | https://example.org/budgets/guide | Participation Team
events | Lantern walk route announced | From the community hall along the canal to the lock, with hot chocolate at the end. | https://example.org/events/lantern-route | Canal Friends
events | Toy swap for families | Bring toys your children have outgrown and take others home. Everything left goes to the hospice shop. | https://example.org/events/toy-swap | Family centre
news | Snow plan: which roads are gritted first | | https://news.example.com/gritting | Evening Courier
news | Photos: the year in Riverside | | https://photos.example.net/year | Riverside Gazette
lastly | the heron has been spotted wearing a lantern's reflection | Canal Friends say it is the most photographed bird in the borough. | | Canal Friends
`
