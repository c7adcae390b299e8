package export

import "github.com/flowtap/flowtap/appliance/platform"

// The aggregation schemes are platform.Scheme, whose values are the v8
// header's `aggregation` byte. What is the encoder's alone is each v8
// record's size and how many fit a packet.

type v8Size struct {
	len int // v8 record bytes
	max int // flow-tools FT_PDU_V8_n_MAXFLOWS
}

var v8Sizes = [...]v8Size{
	platform.SchemeAS:                   {28, 51},
	platform.SchemeProtocolPort:         {28, 51},
	platform.SchemeSourcePrefix:         {32, 44},
	platform.SchemeDestinationPrefix:    {32, 44},
	platform.SchemePrefix:               {40, 35},
	platform.SchemeDestinationOnly:      {32, 44},
	platform.SchemeSourceDestination:    {40, 35},
	platform.SchemeFullFlow:             {44, 32},
	platform.SchemeASToS:                {32, 44},
	platform.SchemeProtocolPortToS:      {32, 44},
	platform.SchemeSourcePrefixToS:      {32, 44},
	platform.SchemeDestinationPrefixToS: {32, 44},
	platform.SchemePrefixToS:            {40, 35},
	platform.SchemePrefixPort:           {40, 35},
}
